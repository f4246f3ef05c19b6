"""EntityStore: functions and packages deployed through the API, kept in the same database
as the activations."""

from pathlib import Path

from emulator.namespace.entities import Action, Annotations, Exec, Limits, Package, Parameter
from emulator.store.activation_store import ActivationStore
from emulator.store.entity_store import EntityStore

PACKAGE = Package(
    namespace="guest",
    name="tools",
    parameters=(Parameter("a", 1), Parameter("ENV", "x", init=True)),
    annotations=Annotations.of({"deployer": {"digest": "abc"}}),
    version="0.0.2",
    updated=10,
)
ACTION = Action(
    namespace="guest",
    package="tools",
    name="inner",
    exec=Exec("nodejs:18", "handler", Path("/code/abc"), binary=True),
    parameters=(Parameter("name", "Ada"),),
    annotations=Annotations.of({"exec": "nodejs:18", "provide-api-key": False}),
    limits=Limits(timeout=5000, memory=512),
    version="0.0.3",
    updated=20,
)


async def test_saved_entities_come_back_equal_after_reopening(db_path):
    store = await EntityStore.open(db_path)
    await store.save_package(PACKAGE)
    await store.save_action(ACTION)
    await store.close()
    reopened = await EntityStore.open(db_path)
    stored = await reopened.load("guest")
    await reopened.close()
    assert stored.packages == (PACKAGE,)
    assert stored.actions == (ACTION,)


async def test_a_save_replaces_and_forget_removes(db_path):
    store = await EntityStore.open(db_path)
    await store.save_action(ACTION)
    newer = Action(**{**{f: getattr(ACTION, f) for f in ACTION.__slots__}, "version": "0.0.4"})
    await store.save_action(newer)
    assert [a.version for a in (await store.load("guest")).actions] == ["0.0.4"]
    await store.save_package(PACKAGE)
    await store.forget_action("guest", "tools/inner")
    await store.forget_package("guest", "tools")
    stored = await store.load("guest")
    await store.close()
    assert (stored.actions, stored.packages) == ((), ())


async def test_namespaces_are_kept_apart(db_path):
    store = await EntityStore.open(db_path)
    await store.save_action(ACTION)
    assert (await store.load("other")).actions == ()
    await store.close()


async def test_it_shares_the_activation_database(db_path):
    activations = await ActivationStore.open(db_path)
    entities = await EntityStore.open(db_path)
    await entities.save_package(PACKAGE)
    assert (await entities.load("guest")).packages == (PACKAGE,)
    await entities.close()
    await activations.close()

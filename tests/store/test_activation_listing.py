"""Listing and counting records: order, paging, time window, name and namespace filters."""

from __future__ import annotations

from collections.abc import Callable

from emulator.namespace.entities import Activation, PendingActivation
from emulator.store.activation_store import ActivationStore

MakeActivation = Callable[..., Activation]


async def finish_all(store: ActivationStore, *activations: Activation) -> None:
    for activation in activations:
        await store.finish(activation)


def ids(activations: list[Activation]) -> list[str]:
    return [a.activation_id for a in activations]


async def test_records_are_listed_newest_first_by_start(
    store: ActivationStore, make_activation: MakeActivation
) -> None:
    middle, old, new = (make_activation(start=s) for s in (2000, 1000, 3000))
    await finish_all(store, middle, old, new)
    assert await store.list(namespace="guest") == [new, middle, old]


async def test_records_with_the_same_start_are_listed_latest_written_first(
    store: ActivationStore, make_activation: MakeActivation
) -> None:
    first, second, third = (make_activation(start=5000) for _ in range(3))
    await finish_all(store, first, second, third)
    assert ids(await store.list(namespace="guest")) == ids([third, second, first])


async def test_limit_and_skip_page_through_the_list(
    store: ActivationStore, make_activation: MakeActivation
) -> None:
    records = [make_activation(start=1000 + i) for i in range(7)]
    await finish_all(store, *records)
    newest_first = records[::-1]
    assert await store.list(namespace="guest", limit=3) == newest_first[:3]
    assert await store.list(namespace="guest", limit=3, skip=3) == newest_first[3:6]
    assert await store.list(namespace="guest", limit=3, skip=6) == newest_first[6:]
    assert await store.list(namespace="guest", skip=7) == []


async def test_the_default_limit_is_thirty(
    store: ActivationStore, make_activation: MakeActivation
) -> None:
    await finish_all(store, *(make_activation(start=i) for i in range(35)))
    assert len(await store.list(namespace="guest")) == 30


async def test_since_and_upto_are_inclusive_on_start(
    store: ActivationStore, make_activation: MakeActivation
) -> None:
    at_1000, at_2000, at_3000, at_4000 = (
        make_activation(start=s) for s in (1000, 2000, 3000, 4000)
    )
    await finish_all(store, at_1000, at_2000, at_3000, at_4000)
    assert await store.list(namespace="guest", since=2000, upto=3000) == [at_3000, at_2000]
    assert await store.list(namespace="guest", since=3000) == [at_4000, at_3000]
    assert await store.list(namespace="guest", upto=1000) == [at_1000]
    assert await store.list(namespace="guest", since=4001) == []


async def test_a_simple_name_matches_the_function_in_every_package(
    store: ActivationStore, make_activation: MakeActivation
) -> None:
    default = make_activation(name="hello", start=1)
    packaged = make_activation(name="hello", package="sample", start=2)
    other = make_activation(name="greet", package="sample", start=3)
    await finish_all(store, default, packaged, other)
    assert await store.list(namespace="guest", name="hello") == [packaged, default]


async def test_a_package_qualified_name_matches_only_that_package(
    store: ActivationStore, make_activation: MakeActivation
) -> None:
    default = make_activation(name="hello", start=1)
    packaged = make_activation(name="hello", package="sample", start=2)
    elsewhere = make_activation(name="hello", package="other", start=3)
    await finish_all(store, default, packaged, elsewhere)
    assert await store.list(namespace="guest", name="sample/hello") == [packaged]
    assert await store.list(namespace="guest", name="missing/hello") == []


async def test_namespaces_do_not_see_each_others_records(
    store: ActivationStore, make_activation: MakeActivation
) -> None:
    mine = make_activation(namespace="guest")
    theirs = make_activation(namespace="fn-feb132ee")
    await finish_all(store, mine, theirs)
    assert await store.list(namespace="guest") == [mine]
    assert await store.list(namespace="fn-feb132ee") == [theirs]
    assert await store.get(theirs.activation_id) == theirs
    assert await store.count(namespace="nobody") == 0


async def test_count_applies_the_same_filters_as_list(
    store: ActivationStore, make_activation: MakeActivation
) -> None:
    await finish_all(
        store,
        make_activation(name="hello", start=1000),
        make_activation(name="hello", package="sample", start=2000),
        make_activation(name="greet", package="sample", start=3000),
        make_activation(namespace="other", start=2500),
    )
    assert await store.count(namespace="guest") == 3
    assert await store.count(namespace="guest", name="hello") == 2
    assert await store.count(namespace="guest", name="sample/hello") == 1
    assert await store.count(namespace="guest", since=2000) == 2
    assert await store.count(namespace="guest", since=1000, upto=2000) == 2


async def test_activations_still_running_are_neither_listed_nor_counted(
    store: ActivationStore, make_pending: Callable[..., PendingActivation]
) -> None:
    await store.begin(make_pending())
    assert await store.list(namespace="guest") == []
    assert await store.count(namespace="guest") == 0

-- The activation store's schema. Each `-- version: N` section upgrades a database whose
-- PRAGMA user_version is below N; sections are applied in order, each in one transaction.
-- Never edit a released section: add a new one.

-- version: 1

-- One finished activation per row. `doc` is the record's JSON as namespace.documents.activation_to_json
-- writes it; the other columns repeat what listing filters and sorts on, so that a list over
-- millions of rows is an index range scan.
CREATE TABLE activations (
    activation_id TEXT PRIMARY KEY,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    package TEXT,  -- NULL: the default package
    start INTEGER NOT NULL,  -- epoch ms
    "end" INTEGER NOT NULL,  -- epoch ms
    status_code INTEGER NOT NULL,
    doc TEXT NOT NULL
);

-- Listing is newest first with ties broken by rowid (insertion order); every index entry ends
-- with the rowid, so these serve ORDER BY start DESC, rowid DESC without a sort.
CREATE INDEX activations_by_namespace ON activations (namespace, start);
CREATE INDEX activations_by_name ON activations (namespace, name, start);
CREATE INDEX activations_by_package_name ON activations (namespace, package, name, start);
-- Retention deletes by age across all namespaces.
CREATE INDEX activations_by_start ON activations (start);

-- Activations that have started and have no record yet; a row left here after a restart is
-- an activation the emulator was killed in the middle of.
CREATE TABLE pending (
    activation_id TEXT PRIMARY KEY,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    package TEXT,
    version TEXT NOT NULL,
    subject TEXT NOT NULL,
    start INTEGER NOT NULL,
    annotations TEXT NOT NULL,  -- JSON: [{"key": ..., "value": ...}, ...]
    cause TEXT
);

-- version: 2

-- Packages and functions deployed through the API (PUT), which outlive a restart; the
-- project's own come from project.yml at each start. `doc` is the entity's JSON as
-- store.codecs.action_record_json / package_record_json write it (a function's with where its
-- code lies on disk instead of the code).
CREATE TABLE entities (
    namespace TEXT NOT NULL,
    collection TEXT NOT NULL,  -- 'actions' or 'packages'
    path TEXT NOT NULL,  -- `pkg/name` or `name`
    updated INTEGER NOT NULL,  -- epoch ms
    doc TEXT NOT NULL,
    PRIMARY KEY (namespace, collection, path)
);

-- version: 3

-- What each activation was invoked with, kept for replaying it: the request's parameters (not
-- the bound ones) or, for a web call, its method, path, query, headers and body. Local to the
-- emulator: the platform's record has no such field. `doc` is JSON; when the JSON is longer
-- than the store's bound, `doc` holds only its first bytes and `cut` is 1.
CREATE TABLE activation_requests (
    activation_id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    size INTEGER NOT NULL,  -- the whole JSON's length in bytes
    cut INTEGER NOT NULL,
    code TEXT  -- the digest of the function's code that ran, when known
);

-- A request goes with its record, whatever deletes the record (retention).
CREATE TRIGGER activation_requests_follow_records AFTER DELETE ON activations
BEGIN
    DELETE FROM activation_requests WHERE activation_id = OLD.activation_id;
END;

#!/usr/bin/env python3
"""Converts a wal2json format-version 2 capture into Debezium PostgreSQL connector change events.

    wal2json_to_debezium.py [--wrapped] [--seed-table TABLE ...] SEED_SQL < wal2json.jsonl

THE OUTPUT IS A CONVERSION, NOT DEBEZIUM'S OWN OUTPUT. Debezium needs Kafka Connect, which does
not run where the samples are made (scripts/pg/capture_cdc.sh), so this script rewrites the real
wal2json capture into the event format the Debezium PostgreSQL connector documents
(https://debezium.io/documentation/reference/stable/connectors/postgresql.html, "Data change
events" and "Data type mappings"), with the connector's default settings:
decimal.handling.mode=precise, time.precision.mode=adaptive, topic.prefix=rls_shadow, and the
JsonConverter with schemas.enable=true (--wrapped: {"schema": ..., "payload": ...}) or false
(the bare payload). It reproduces what the documentation says the connector does:

- one message value per line; BEGIN/COMMIT are not data change events (they go to a separate
  transaction-metadata topic when enabled) and are dropped;
- op "r" snapshot events for the rows of --seed-table tables in SEED_SQL (pg_dump COPY blocks),
  emitted first, with source.snapshot "true" ("last" on the last one);
- op "c"/"u"/"d"; "before" is the old row under REPLICA IDENTITY FULL, the primary key under
  DEFAULT for deletes, and null for an update under DEFAULT that kept the key;
- an update that changes the primary key becomes a delete of the old key, a tombstone and a
  create of the new key, as the connector documents for primary-key changes;
- every delete is followed by a tombstone (a null value, written as the line "null");
- an unchanged TOASTed column (absent from wal2json's "columns") is sent as the placeholder
  "__debezium_unavailable_value";
- op "t" per truncated table; op "m" for pg_logical_emit_message, the content base64-encoded
  (it is a bytes field), source.txId null for a non-transactional message;
- source.ts_ms (and source.ts_us, Debezium 2.6+) is the commit time, source.lsn the change's
  LSN as a number, source.txId the transaction id.
Values: uuid -> io.debezium.data.Uuid string; numeric(p,s) -> org.apache.kafka.connect.data.Decimal
(base64 of the unscaled value, big-endian two's complement); numeric -> VariableScaleDecimal;
timestamptz -> io.debezium.time.ZonedTimestamp (ISO-8601, UTC "Z"); timestamp ->
io.debezium.time.MicroTimestamp; date -> io.debezium.time.Date; jsonb -> io.debezium.data.Json;
enum -> io.debezium.data.Enum; int2/int4/int8/bool/text/varchar -> int16/int32/int64/boolean/string.

Only the types the capture workload uses are handled; anything else stops the script.
"""

import argparse
import base64
import datetime
import decimal
import json
import re
import sys

TOPIC_PREFIX = "rls_shadow"
VERSION = "2.7.0.Final"
UNAVAILABLE = "__debezium_unavailable_value"
ENUMS = {"tenant_kind": "free,paid"}  # enum type -> allowed values (the capture's schema)
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def parse_lsn(text):
    hi, lo = text.split("/")
    return (int(hi, 16) << 32) | int(lo, 16)


def parse_pg_timestamp(text):
    """'2026-11-22 09:00:00.5+00' (or without zone) -> aware UTC datetime."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d(?::?\d\d)?)?", text)
    if not m:
        raise ValueError("bad timestamp " + text)
    base = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")
    micros = int((m.group(2) or ".0")[1:].ljust(6, "0")[:6])
    offset = 0
    if m.group(3):
        z = m.group(3).replace(":", "")
        offset = int(z[1:3]) * 3600 + (int(z[3:5]) * 60 if len(z) > 3 else 0)
        if z[0] == "-":
            offset = -offset
    dt = base.replace(microsecond=micros, tzinfo=datetime.timezone.utc)
    return dt - datetime.timedelta(seconds=offset)


def micros_since_epoch(dt):
    delta = dt - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds


def iso_zoned(dt):
    """Java's DateTimeFormatter.ISO_OFFSET_DATE_TIME of a UTC instant: fraction without trailing
    zeros, 'Z' for UTC."""
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        text += ("." + "%06d" % dt.microsecond).rstrip("0")
    return text + "Z"


def twos_complement(n):
    """Java BigInteger.toByteArray(): minimal big-endian two's complement."""
    length = 1
    while not (-(1 << (8 * length - 1)) <= n < (1 << (8 * length - 1))):
        length += 1
    return n.to_bytes(length, "big", signed=True)


def decimal_bytes(value, scale):
    unscaled = int(decimal.Decimal(value).scaleb(scale).to_integral_exact())
    return base64.b64encode(twos_complement(unscaled)).decode()


def field_schema(name, pg_type, optional=True):
    """The Kafka Connect schema of one column, from wal2json's type name."""
    f = {"optional": optional, "field": name}
    m = re.fullmatch(r"numeric\((\d+),(\d+)\)", pg_type)
    if pg_type == "uuid":
        f.update(type="string", name="io.debezium.data.Uuid", version=1)
    elif pg_type == "text" or pg_type.startswith("character varying"):
        f.update(type="string")
    elif pg_type == "integer":
        f.update(type="int32")
    elif pg_type == "bigint":
        f.update(type="int64")
    elif pg_type == "smallint":
        f.update(type="int16")
    elif pg_type == "boolean":
        f.update(type="boolean")
    elif m:
        f.update(type="bytes", name="org.apache.kafka.connect.data.Decimal", version=1,
                 parameters={"scale": m.group(2), "connect.decimal.precision": m.group(1)})
    elif pg_type == "numeric":
        f.update(type="struct", name="io.debezium.data.VariableScaleDecimal", version=1,
                 doc="Variable scaled decimal",
                 fields=[{"type": "int32", "optional": False, "field": "scale"},
                         {"type": "bytes", "optional": False, "field": "value"}])
    elif pg_type == "timestamp with time zone":
        f.update(type="string", name="io.debezium.time.ZonedTimestamp", version=1)
    elif pg_type == "timestamp without time zone":
        f.update(type="int64", name="io.debezium.time.MicroTimestamp", version=1)
    elif pg_type == "date":
        f.update(type="int32", name="io.debezium.time.Date", version=1)
    elif pg_type == "jsonb":
        f.update(type="string", name="io.debezium.data.Json", version=1)
    elif pg_type.split(".")[-1] in ENUMS:
        f.update(type="string", name="io.debezium.data.Enum", version=1,
                 parameters={"allowed": ENUMS[pg_type.split(".")[-1]]})
    else:
        sys.exit("wal2json_to_debezium: no mapping for type " + pg_type)
    return f


def field_value(pg_type, value):
    """The JSON value Debezium sends for one column (value as wal2json gave it)."""
    if value is None:
        return None
    m = re.fullmatch(r"numeric\((\d+),(\d+)\)", pg_type)
    if m:
        return decimal_bytes(value, int(m.group(2)))
    if pg_type == "numeric":
        d = decimal.Decimal(str(value))
        scale = max(0, -d.as_tuple().exponent)
        return {"scale": scale, "value": decimal_bytes(d, scale)}
    if pg_type == "timestamp with time zone":
        return iso_zoned(parse_pg_timestamp(value))
    if pg_type == "timestamp without time zone":
        return micros_since_epoch(parse_pg_timestamp(value))
    if pg_type == "date":
        d = datetime.date.fromisoformat(value)
        return (d - datetime.date(1970, 1, 1)).days
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class Tables:
    """Columns (name, wal2json type, not-null) of every table, learned from the capture."""

    def __init__(self):
        self.columns = {}  # "schema.table" -> [(name, type)]
        self.key = {}      # "schema.table" -> [key column names] (DEFAULT identity tables)
        self.full = set()  # tables whose identity is the full row

    def learn(self, change):
        name = change["schema"] + "." + change["table"]
        cols = [(c["name"], c["type"]) for c in change.get("columns", [])]
        if len(cols) > len(self.columns.get(name, [])):
            self.columns[name] = cols
        ident = change.get("identity")
        if ident:
            if len(ident) > 1 and len(ident) >= len(self.columns.get(name, [])):
                self.full.add(name)
            else:
                self.key[name] = [c["name"] for c in ident]

    def value_schema(self, name):
        cols = self.columns[name]
        return {"type": "struct", "optional": True,
                "name": "%s.%s.Value" % (TOPIC_PREFIX, name),
                "fields": [field_schema(n, t) for n, t in cols]}

    def row(self, name, wal_columns, fill_unavailable):
        given = {c["name"]: c for c in wal_columns}
        out = {}
        for col, pg_type in self.columns[name]:
            if col in given:
                out[col] = field_value(pg_type, given[col]["value"])
            elif fill_unavailable:
                out[col] = UNAVAILABLE
        return out


SOURCE_SCHEMA = {
    "type": "struct", "optional": False, "name": "io.debezium.connector.postgresql.Source",
    "field": "source",
    "fields": [
        {"type": "string", "optional": False, "field": "version"},
        {"type": "string", "optional": False, "field": "connector"},
        {"type": "string", "optional": False, "field": "name"},
        {"type": "int64", "optional": False, "field": "ts_ms"},
        {"type": "string", "optional": True, "name": "io.debezium.data.Enum", "version": 1,
         "parameters": {"allowed": "true,last,false,incremental"}, "default": "false",
         "field": "snapshot"},
        {"type": "string", "optional": False, "field": "db"},
        {"type": "string", "optional": True, "field": "sequence"},
        {"type": "int64", "optional": True, "field": "ts_us"},
        {"type": "int64", "optional": True, "field": "ts_ns"},
        {"type": "string", "optional": False, "field": "schema"},
        {"type": "string", "optional": False, "field": "table"},
        {"type": "int64", "optional": True, "field": "txId"},
        {"type": "int64", "optional": True, "field": "lsn"},
        {"type": "int64", "optional": True, "field": "xmin"},
    ],
}
TRANSACTION_SCHEMA = {
    "type": "struct", "optional": True, "name": "event.block", "version": 1,
    "field": "transaction",
    "fields": [
        {"type": "string", "optional": False, "field": "id"},
        {"type": "int64", "optional": False, "field": "total_order"},
        {"type": "int64", "optional": False, "field": "data_collection_order"},
    ],
}
TS_FIELDS = [
    {"type": "int64", "optional": True, "field": "ts_ms"},
    {"type": "int64", "optional": True, "field": "ts_us"},
    {"type": "int64", "optional": True, "field": "ts_ns"},
]


def source(change, ts_us, snapshot="false", schema=None, table=None):
    lsn = parse_lsn(change["lsn"]) if change.get("lsn") else None
    return {
        "version": VERSION, "connector": "postgresql", "name": TOPIC_PREFIX,
        "ts_ms": ts_us // 1000, "snapshot": snapshot, "db": "postgres",
        "sequence": json.dumps([None, str(lsn)]) if lsn is not None else None,
        "ts_us": ts_us, "ts_ns": ts_us * 1000,
        "schema": change.get("schema", "") if schema is None else schema,
        "table": change.get("table", "") if table is None else table,
        "txId": change.get("xid"), "lsn": lsn, "xmin": None,
    }


def envelope_schema(tables, name):
    value = tables.value_schema(name)
    return {"type": "struct", "optional": False,
            "name": "%s.%s.Envelope" % (TOPIC_PREFIX, name), "version": 2,
            "fields": [dict(value, field="before"), dict(value, field="after"), SOURCE_SCHEMA,
                       TRANSACTION_SCHEMA, {"type": "string", "optional": False, "field": "op"}]
            + TS_FIELDS}


def emit(out, wrapped, schema, payload):
    value = {"schema": schema, "payload": payload} if wrapped else payload
    out.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n")


def emit_tombstone(out):
    out.write("null\n")


def change_payload(op, before, after, src, ts_us):
    return {"before": before, "after": after, "source": src, "transaction": None, "op": op,
            "ts_ms": ts_us // 1000, "ts_us": ts_us, "ts_ns": ts_us * 1000}


def read_seed(path, wanted):
    """Rows of COPY blocks for tables in `wanted`: {"schema.table": [{col: text-or-None}]}."""
    rows = {}
    current = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if current is not None:
                if line == "\\.":
                    current = None
                    continue
                name, cols = current
                fields = [None if v == "\\N" else v for v in line.split("\t")]
                rows.setdefault(name, []).append(dict(zip(cols, fields)))
                continue
            m = re.fullmatch(r"COPY (\S+) \((.*)\) FROM stdin;", line)
            if m and m.group(1) in wanted:
                current = (m.group(1), [c.strip() for c in m.group(2).split(",")])
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wrapped", action="store_true")
    parser.add_argument("--seed-table", action="append", default=[])
    parser.add_argument("seed_sql")
    args = parser.parse_args()

    changes = [json.loads(line, parse_float=decimal.Decimal) for line in sys.stdin if line.strip()]
    tables = Tables()
    for c in changes:
        if c["action"] in "IUD":
            tables.learn(c)
    out = sys.stdout
    w = args.wrapped

    # Snapshot: the seed rows, as of the slot's start.
    first = next(c for c in changes if c.get("timestamp"))
    snap_us = micros_since_epoch(parse_pg_timestamp(first["timestamp"]))
    wanted = ["public." + t if "." not in t else t for t in args.seed_table]
    seed = read_seed(args.seed_sql, wanted)
    snap_rows = [(name, row) for name in wanted for row in seed.get(name, [])]
    for i, (name, row) in enumerate(snap_rows):
        schema_name, table = name.split(".")
        wal_cols = [{"name": k, "value": v} for k, v in row.items()]
        after = tables.row(name, wal_cols, False)
        src = source({"lsn": first["lsn"], "xid": None}, snap_us,
                     "last" if i == len(snap_rows) - 1 else "true", schema_name, table)
        emit(out, w, envelope_schema(tables, name), change_payload("r", None, after, src, snap_us))

    for c in changes:
        action = c["action"]
        if action in "BC":
            continue
        ts_us = micros_since_epoch(parse_pg_timestamp(c["timestamp"])) if c.get("timestamp") \
            else snap_us
        if action == "M":
            src = source(c, ts_us, schema="", table="")
            payload = {"source": src, "op": "m", "ts_ms": ts_us // 1000, "ts_us": ts_us,
                       "ts_ns": ts_us * 1000,
                       "message": {"prefix": c["prefix"],
                                   "content": base64.b64encode(c["content"].encode()).decode()}}
            schema = {"type": "struct", "optional": False,
                      "name": "io.debezium.connector.postgresql.MessageValue",
                      "fields": [SOURCE_SCHEMA,
                                 {"type": "string", "optional": False, "field": "op"}]
                      + TS_FIELDS
                      + [{"type": "struct", "optional": True,
                          "name": "io.debezium.connector.postgresql.Message", "field": "message",
                          "fields": [{"type": "string", "optional": False, "field": "prefix"},
                                     {"type": "bytes", "optional": True, "field": "content"}]}]}
            emit(out, w, schema, payload)
            continue
        name = c["schema"] + "." + c["table"]
        src = source(c, ts_us)
        if action == "T":
            payload = {"source": src, "transaction": None, "op": "t", "ts_ms": ts_us // 1000,
                       "ts_us": ts_us, "ts_ns": ts_us * 1000}
            schema = {"type": "struct", "optional": False,
                      "name": "%s.%s.Envelope" % (TOPIC_PREFIX, name), "version": 2,
                      "fields": [SOURCE_SCHEMA, TRANSACTION_SCHEMA,
                                 {"type": "string", "optional": False, "field": "op"}]
                      + TS_FIELDS}
            emit(out, w, schema, payload)
            continue
        schema = envelope_schema(tables, name)
        if action == "I":
            after = tables.row(name, c["columns"], True)
            emit(out, w, schema, change_payload("c", None, after, src, ts_us))
        elif action == "D":
            before = tables.row(name, c["identity"], False)
            emit(out, w, schema, change_payload("d", before, None, src, ts_us))
            emit_tombstone(out)
        elif action == "U":
            after = tables.row(name, c["columns"], True)
            ident = c.get("identity") or []
            new_values = {col["name"]: col["value"] for col in c["columns"]}
            key_changed = name not in tables.full and any(
                new_values.get(col["name"]) != col["value"] for col in ident)
            if key_changed:
                before = tables.row(name, ident, False)
                emit(out, w, schema, change_payload("d", before, None, src, ts_us))
                emit_tombstone(out)
                emit(out, w, schema, change_payload("c", None, after, src, ts_us))
            else:
                before = tables.row(name, ident, False) if name in tables.full else None
                emit(out, w, schema, change_payload("u", before, after, src, ts_us))


if __name__ == "__main__":
    main()

"""DuckDB, software emr did not write, reads emr's Bulk Data NDJSON and joins it.

    python3 duckdb_join.py DIR

Loads every DIR/*.ndjson with read_json_auto(..., format='newline_delimited',
union_by_name=true) and asserts: ids unique per type, one Patient per person, every
Observation joins its Patient on subject.reference = 'Patient/' || id, every relative
reference of every resource resolves within the export. Then runs the population example's
HbA1c-by-age-band query (examples/population) and asserts it returns rows. Exit 1 on failure.
"""

import glob
import os
import sys

import duckdb


def main() -> int:
    directory = sys.argv[1]
    files = sorted(glob.glob(os.path.join(directory, "*.ndjson")))
    assert files, f"no NDJSON files in {directory}"
    con = duckdb.connect()
    failures = []
    ids = {}
    for path in files:
        ty = os.path.basename(path)[: -len(".ndjson")]
        quoted = path.replace("'", "''")
        con.execute(
            f"CREATE VIEW \"{ty}\" AS SELECT * FROM read_json_auto('{quoted}', format='newline_delimited', union_by_name=true)"
        )
        total, distinct = con.execute(f'SELECT count(*), count(DISTINCT id) FROM "{ty}"').fetchone()
        if total != distinct:
            failures.append(f"{ty}: {total - distinct} duplicate ids")
        ids[ty] = total

    observations, joined = con.execute(
        """SELECT count(*), count(p.id) FROM "Observation" o
           LEFT JOIN "Patient" p ON o.subject.reference = 'Patient/' || p.id"""
    ).fetchone()
    print(f"Observation → Patient join: {joined} of {observations} observations")
    if observations == 0 or joined != observations:
        failures.append(f"join matched {joined} of {observations} observations")

    # Every relative reference in every file resolves to a line of the export: read as text,
    # all "reference" strings extracted by DuckDB's JSON functions.
    all_ids = " UNION ALL ".join(f"SELECT '{ty}/' || id AS target FROM \"{ty}\"" for ty in ids)
    refs = con.execute(
        f"""WITH lines AS (
              SELECT unnest(string_split(content, chr(10))) AS line
              FROM read_text(?)),
            refs AS (
              SELECT unnest(regexp_extract_all(line, '"reference":"([^"]*)"', 1)) AS ref FROM lines WHERE line <> '')
            SELECT count(*) AS total,
                   count(*) FILTER (WHERE ref LIKE 'urn:%') AS urn,
                   count(*) FILTER (WHERE ref NOT LIKE '#%' AND ref NOT LIKE 'http%' AND ref NOT LIKE 'urn:%'
                                    AND ref NOT IN (SELECT target FROM ({all_ids}))) AS dangling
            FROM refs""",
        [files],
    ).fetchone()
    print(f"references: {refs[0]}, urn: {refs[1]}, relative not resolving: {refs[2]}")
    if refs[1] or refs[2]:
        failures.append(f"{refs[1]} urn: references, {refs[2]} relative references that do not resolve")

    example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../examples/population/hba1c_by_age_band.sql")
    statements = [s for s in open(example).read().split(";") if s.strip() and not all(l.startswith("--") for l in s.strip().splitlines())]
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        for s in statements[:-1]:
            con.execute(s)
        bands = con.execute(statements[-1]).fetchall()
    finally:
        os.chdir(cwd)
    print("HbA1c by age band (band, tests, patients, mean, min, max):")
    for row in bands:
        print("  ", row)
    if not bands:
        failures.append("the population example's HbA1c query returned nothing")

    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    print(f"{len(files)} NDJSON files, {sum(ids.values())} resources: {'FAILED' if failures else 'ok'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

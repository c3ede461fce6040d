"""HbA1c by age band over an emr population NDJSON export, charted in the terminal.

    python3 chart.py DIR        (needs `pip install duckdb`)

Runs hba1c_by_age_band.sql with DuckDB on DIR/Patient.ndjson and DIR/Observation.ndjson.
"""

import os
import sys

import duckdb


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    sql = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "hba1c_by_age_band.sql")).read()
    os.chdir(sys.argv[1])
    con = duckdb.connect()
    *setup, query = [s for s in sql.split(";") if s.strip() and not all(l.startswith("--") for l in s.strip().splitlines())]
    for statement in setup:
        con.execute(statement)
    rows = con.execute(query).fetchall()
    if not rows:
        print("no HbA1c results in this export")
        return 0
    top = max(r[3] for r in rows)
    print(f"{'age':>7} {'tests':>6} {'people':>6} {'mean %':>7}")
    for band, tests, people, mean, low, high in rows:
        bar = "#" * round(40 * mean / top)
        print(f"{band:>3}-{band + 9:<3} {tests:>6} {people:>6} {mean:>7.2f} {bar}  ({low}–{high})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

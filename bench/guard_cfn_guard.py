#!/usr/bin/env python3
"""Times cfn-guard's Python binding (cfn-guard-rs) running every rule file of a folder against
each template: one `run_checks(template, rules)` call per rule file, as Tollgate's bench parses and
evaluates each rule file per template. Reading the YAML (PyYAML, short-form tags to long form) is
timed apart. Prints one JSON object.

    bench/guard_cfn_guard.py RULES_FOLDER ITERATIONS TEMPLATE...
"""
import glob
import json
import statistics
import sys
import time

import cfn_guard_rs
import yaml


class Loader(yaml.SafeLoader):
    pass


def construct(loader, suffix, node):
    name = suffix if suffix in ("Ref", "Condition") else "Fn::" + suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


Loader.add_multi_constructor("!", construct)


def main():
    folder, iterations, templates = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    rules = [open(path).read() for path in sorted(glob.glob(folder + "/**/*.guard", recursive=True))]
    results = []
    for template in templates:
        text = open(template).read()
        read_times, evaluate_times, errors = [], [], 0
        for _ in range(iterations):
            start = time.perf_counter()
            data = yaml.load(text, Loader=Loader)
            read = time.perf_counter()
            errors = 0
            for rule in rules:
                try:
                    cfn_guard_rs.run_checks(data, rule)
                except Exception:
                    errors += 1
            read_times.append((read - start) * 1000)
            evaluate_times.append((time.perf_counter() - read) * 1000)
        results.append({"template": template, "read_ms": statistics.median(read_times),
                        "evaluate_ms": statistics.median(evaluate_times), "errors": errors})
    print(json.dumps({"rule_files": len(rules), "iterations": iterations, "templates": results}, sort_keys=True))


if __name__ == "__main__":
    main()

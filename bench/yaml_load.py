"""Cost of the checked YAML reader (safe_yaml.py) against the loaders it replaced, same run.

    .venv/bin/python bench/yaml_load.py            # 5000-host inventory, built-in check packs
    .venv/bin/python bench/yaml_load.py --hosts 20000

  before-inventory  PyYAML's pure-Python SafeLoader with the duplicate-key constructor (what
                    inventory.py used)
  before-checks     yaml.CSafeLoader (what the check loader used)
  safe_yaml         libyaml composition + the graph check (expansion, nesting, keys) + construction
  bomb              a 9-level alias bomb (~10^9 values expanded): time until refused

Median of --runs wall-clock times per variant; figures are for comparison within one run only.
"""

from __future__ import annotations

import repo_env  # noqa: F401 - re-runs with the clone's .venv when netpatrol is not importable

import argparse

import yaml

import common
from netpatrol import safe_yaml
from netpatrol.checks.loader import BUILTIN_DIR


class _OldInventoryLoader(yaml.SafeLoader):
    pass


def _old_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, "duplicate", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_OldInventoryLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _old_mapping)


def inventory_text(n: int) -> str:
    hosts = {
        f"sw{i:05d}": {"hostname": f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", "platform": "cisco_ios",
                       "groups": ["site-a", "access"],
                       "data": {"model": "C9300-48P", "serial": f"FOC{i:08d}", "location": f"Room {i % 40}",
                                "inspection": {"thresholds": {"cpu_percent": 80}, "critical_ports": ["Gi1/0/1"]}}}
        for i in range(n)
    }
    return yaml.safe_dump(hosts, sort_keys=False)


def bomb_text() -> str:
    return "".join(f"{c}: &{c} [" + ", ".join([f"*{p}" if p else "x"] * 10) + "]\n"
                   for p, c in zip([None, *"abcdefgh"], "abcdefghi", strict=True))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    inv = inventory_text(args.hosts)
    packs = [p.read_text(encoding="utf-8") for p in sorted(BUILTIN_DIR.glob("*.yaml"))]

    def refuse_bomb() -> None:
        try:
            safe_yaml.load_text(bomb_text(), "bomb.yaml")
        except safe_yaml.YamlFileError:
            return
        raise AssertionError("bomb accepted")

    rows = [
        (f"inventory {args.hosts} hosts ({len(inv) // 1024} KiB)", "before-inventory",
         common.median_seconds(lambda: yaml.load(inv, Loader=_OldInventoryLoader), args.runs)),
        ("", "safe_yaml", common.median_seconds(lambda: safe_yaml.load_text(inv, "hosts.yaml"), args.runs)),
        (f"built-in check packs ({len(packs)} files)", "before-checks",
         common.median_seconds(lambda: [yaml.load(t, Loader=yaml.CSafeLoader) for t in packs], args.runs)),
        ("", "safe_yaml", common.median_seconds(lambda: [safe_yaml.load_text(t, "pack.yaml") for t in packs], args.runs)),
        ("alias bomb (9 levels of 10)", "bomb", common.median_seconds(refuse_bomb, args.runs)),
    ]
    for what, variant, seconds in rows:
        print(f"{what:38} {variant:18} {seconds * 1000:9.1f} ms")


if __name__ == "__main__":
    main()

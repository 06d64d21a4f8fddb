"""Differences between two benchmark results: ``python -m bench.compare OLD.json NEW.json``.

Prints both runs' machine and commit, then every figure that changed, with the change
in per cent. Throughput (req/s, × hello) is better higher; times, errors and memory
are better lower.
"""

import argparse
import json
import sys
from pathlib import Path

# Identifiers and settings, not measurements (the settings show in the header).
IGNORED = {"pid", "expected_status", "samples", "cores", "gunicorn_workers", "duration", "threads", "timeout"}
# The last part of a figure's path says which way is better; other figures just show the change.
HIGHER_IS_BETTER = {"rps", "ratio_to_hello", "requests", "acknowledged"}
LOWER_IS_BETTER = {
    "p50_ms",
    "p99_ms",
    "median_ms",
    "p90_ms",
    "errors",
    "rss_mib",
    "peak_rss_mib",
    "seconds",
    "ratio",
    "ratio_full_pages",
    "acknowledged_missing",
    "stored_twice",
    "stored_without_acknowledgement",
}


def flatten(value, prefix: str = "") -> dict[str, float]:
    """Numeric leaves by dotted path: scenarios.section_page.rps → 15.5."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return {prefix: value}
    else:
        return {}
    flat = {}
    for key, item in items:
        if key not in IGNORED:
            flat.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def describe(results: dict) -> str:
    m = results["machine"]
    dirty = " + uncommitted changes" if m["git_dirty"] else ""
    return f"{results['started_at']}  {m['database']}  {m['cores']} cores  commit {m['git_commit'][:10]}{dirty}"


def change(path: str, old: float, new: float) -> str:
    if old == new:
        return ""
    if old == 0:
        return "new"
    percent = f"{(new - old) / abs(old) * 100:+.1f}%"
    name = path.rsplit(".", 1)[-1]
    if name in HIGHER_IS_BETTER | LOWER_IS_BETTER:
        better = (new > old) == (name in HIGHER_IS_BETTER)
        return f"{percent} {'better' if better else 'worse'}"
    return percent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    args = parser.parse_args(argv)
    old, new = (json.loads(path.read_text()) for path in (args.old, args.new))
    print(f"old: {describe(old)}\nnew: {describe(new)}")
    if old["database"] != new["database"]:
        print(f"note: comparing {old['database']} with {new['database']}")
    before, after = flatten(old), flatten(new)
    rows = [(path, before[path], value) for path, value in after.items() if path in before and before[path] != value]
    width = max((len(path) for path, _, _ in rows), default=10)
    print(f"\n{'figure':<{width}}  {'old':>10}  {'new':>10}  change")
    for path, was, now in rows:
        print(f"{path:<{width}}  {was:>10g}  {now:>10g}  {change(path, was, now)}")
    only = sorted(set(before) ^ set(after))
    if only:
        print(f"\nin one file only: {', '.join(only)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

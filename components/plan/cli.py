"""Command line of the offline plan.

    python -m components plan --stack prod [--format text|json] [--chart ARCHIVE [--manifests OUT]]
    python -m components plan --stack-file path/to/Pulumi.mystack.yaml
    python -m components plan --stack prod --against main-plan.json --fail-on-replace
    python -m components docs      (regenerates docs/configuration.md)

Exit status 0 when the config is valid, 2 with the report on stderr when it is not, and 3 with
--fail-on-replace when a stateful resource would be replaced or deleted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..config.errors import ConfigError
from ..config.stackfile import StackFileError, read_stack_file

REPO = Path(__file__).resolve().parents[2]
EXIT_INVALID = 2
EXIT_REPLACES = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m components", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="show what `pulumi up` would build for a stack, offline")
    source = plan.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", help="a shipped stack: stacks/Pulumi.<STACK>.yaml")
    source.add_argument("--stack-file", type=Path, help="any stack file, e.g. one in a pull request")
    plan.add_argument("--format", choices=("text", "json"), default="text")
    plan.add_argument(
        "--chart",
        type=Path,
        metavar="ARCHIVE",
        help="the chart archive (airflow-<version>.tgz): also render the release's manifests offline",
    )
    plan.add_argument(
        "--manifests",
        type=Path,
        metavar="OUT",
        help="where --chart writes the manifests (default: build/<stack>-manifests.yaml)",
    )
    docs = commands.add_parser("docs", help="regenerate docs/configuration.md from the config model")
    docs.add_argument("--out", type=Path, default=REPO / "docs" / "configuration.md")
    plan.add_argument(
        "--against",
        type=Path,
        metavar="PLAN_JSON",
        help="an earlier `--format json` plan: list the stateful resources this change would replace or delete",
    )
    plan.add_argument(
        "--fail-on-replace",
        action="store_true",
        help="with --against: exit 3 when a stateful resource would be replaced or deleted",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "docs":
        from ..config.reference import render_reference

        args.out.write_text(render_reference())
        print(f"wrote {args.out}", file=sys.stderr)
        return 0
    path = args.stack_file or REPO / "stacks" / f"Pulumi.{args.stack}.yaml"
    try:
        stack_file = read_stack_file(path)
    except StackFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID

    from .runner import plan_stack  # the SDK imports only after the file is known to be readable

    try:
        plan = plan_stack(stack_file)
    except ConfigError as error:
        print(error.report(), file=sys.stderr)
        return EXIT_INVALID

    for warning in plan.warnings:
        print(f"warning: {warning}", file=sys.stderr)

    if args.chart:
        from .render import render_chart

        out = args.manifests or REPO / "build" / f"{plan.stack}-manifests.yaml"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_chart(args.chart, plan.chart_values, plan.release_name, plan.namespace))
        print(f"wrote rendered manifests to {out}", file=sys.stderr)

    document = plan.as_json()
    replacements = None
    if args.against:
        from .replacements import NotAPlanError, find_replacements

        try:
            earlier = json.loads(args.against.read_text())["resources"]
            replacements = find_replacements(earlier, document["resources"])
        except NotAPlanError as error:
            print(f"error: --against {args.against}: {error}", file=sys.stderr)
            return EXIT_INVALID
        except (OSError, ValueError, KeyError, TypeError) as error:
            print(f"error: --against {args.against}: not a plan made with --format json ({error})", file=sys.stderr)
            return EXIT_INVALID
        document["replacements"] = [replacement.as_json() for replacement in replacements]

    if args.format == "json":
        json.dump(document, sys.stdout, indent=2, sort_keys=False)
        sys.stdout.write("\n")
    else:
        from .report import text_summary

        sys.stdout.write(text_summary(plan, replacements))
    return EXIT_REPLACES if args.fail_on_replace and replacements else 0

"""``bouclier guard``: the generative-AI guardrail from the command line.

``guard prompt`` checks edit requests (one JSON line each), ``guard output`` checks a generated
image against its input, ``guard eval`` measures the request guard on a labelled corpus.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bouclier.cli import exit_codes
from bouclier.cli.output import write_table
from bouclier.errors import FileUnreadable, InputError

if TYPE_CHECKING:
    from bouclier.guard import GuardDecision


def _line(text: str | None, decision: GuardDecision) -> str:
    row: dict[str, object] = {} if text is None else {"text": text}
    row.update(decision.to_dict())
    return json.dumps(row, ensure_ascii=False)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileUnreadable(f"cannot read {path}: {exc.strerror or exc}") from None


@click.group("guard")
def guard_group() -> None:
    """Check image-edit requests and generated images (generative-AI providers)."""


@guard_group.command("prompt")
@click.argument("text", required=False)
@click.option(
    "--file",
    "file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Check every line of this file (one prompt per line).",
)
@click.option(
    "--image",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The image the request applies to (a real face lowers the refusal threshold).",
)
@click.option("--minor", is_flag=True, help="The person is a minor: refuse any revealing edit.")
@click.option("--enrolled", is_flag=True, help="The person is enrolled for protection.")
@click.option(
    "--context",
    "context",
    multiple=True,
    help="A previous request of the conversation, oldest first (repeat for several).",
)
def prompt_command(
    text: str | None,
    file: Path | None,
    image: Path | None,
    minor: bool,
    enrolled: bool,
    context: tuple[str, ...],
) -> int:
    """Check edit requests: one JSON line per prompt (text, decision, score, reasons).

    With --context, each prompt is read after those previous requests."""
    from bouclier.guard import Guard
    from bouclier.guard.guard import MAX_SIDE
    from bouclier.guard.stages import MAX_CONTEXT
    from bouclier.media import decode_file
    from bouclier.settings import load_settings

    if (text is None) == (file is None):
        raise click.UsageError("give a prompt TEXT or --file FILE, not both")
    if len(context) > MAX_CONTEXT:
        raise click.UsageError(f"at most {MAX_CONTEXT} --context requests")
    if file is not None:
        prompts = _read(file).decode("utf-8", "replace").splitlines()
    else:
        prompts = [text or ""]
    pixels = decode_file(image, max_side=MAX_SIDE).pixels if image is not None else None
    guard = Guard.from_settings(load_settings())
    for prompt in prompts:
        if not prompt.strip():
            continue
        decision = guard.check_request(
            prompt, pixels, minor=minor, enrolled=enrolled, context=context
        )
        click.echo(_line(prompt, decision))
    return exit_codes.OK


@guard_group.command("output")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("output_path", metavar="OUTPUT", type=click.Path(path_type=Path, dir_okay=False))
def output_command(input_path: Path, output_path: Path) -> int:
    """Check a generated image (OUTPUT) against the image it was made from (INPUT)."""
    from bouclier.guard import Guard
    from bouclier.settings import load_settings

    guard = Guard.from_settings(load_settings())
    decision = guard.check_output(_read(input_path), _read(output_path))
    click.echo(_line(None, decision))
    return exit_codes.OK


@guard_group.command("eval")
@click.argument("corpus", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--split", help="Only the examples of this split (tune, heldout).")
@click.option(
    "--format", "fmt", type=click.Choice(("table", "jsonl")), default="table", show_default=True
)
@click.option("--errors", "show_errors", is_flag=True, help="Also list the prompts it got wrong.")
def eval_command(corpus: Path, split: str | None, fmt: str, show_errors: bool) -> int:
    """Precision, recall, F1 and false-positive rate of the request guard, per language."""
    from bouclier.guard import Guard
    from bouclier.guard.evaluation import evaluate, load_corpus
    from bouclier.settings import load_settings

    examples = load_corpus(corpus, split=split)
    if not examples:
        raise InputError(f"{corpus}: no examples" + (f" in split {split!r}" if split else ""))
    guard = Guard.from_settings(load_settings())
    result = evaluate(
        examples,
        guard.check_request,
        lambda text, before: guard.check_request(text, context=before),
    )
    rows = result.rows()
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row))
    else:
        columns = ("lang", "n", "positives", "negatives", "precision", "recall", "f1", "fpr")
        write_table(rows, columns, sys.stdout)
    if show_errors:
        for example, decision in result.errors:
            click.echo(_line(example.text, decision), err=True)
    return exit_codes.OK

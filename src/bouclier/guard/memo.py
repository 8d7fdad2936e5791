"""A prompt's readings remembered for the length of one check, and forgotten after it.

A check reads the same text many times over: the sentence model's lexicon features, the lexicon
stage, the language and each round's rules all normalise the prompt and ask the same questions of
it (on the training prompts, :func:`~bouclier.guard.normalise.normalise` ran 3.7 times per distinct
text, the lexicons' ``prepare`` 3.0, the eleventh round's ``refuses`` 1.9). The functions marked
:func:`remembered` are pure functions of their arguments (strings and the guard's own objects);
inside :func:`scope`, which :meth:`~bouclier.guard.stages.TwoStageGuard.check_many` opens for a
batch, each answer is computed once and read back afterwards. Outside a scope they compute as
before, and the scope's answers are dropped when the batch is decided: nothing of a prompt
outlives the call that checked it, and a rule replaced between two checks (the folds scripts'
``drop``) is read afresh.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])

_ANSWERS: ContextVar[dict[tuple[Hashable, ...], Any] | None] = ContextVar(
    "bouclier_guard_memo", default=None
)


@contextmanager
def scope() -> Iterator[None]:
    """The answers of :func:`remembered` functions kept until the block ends (a scope already
    open, a batch's around one of its checks, is kept as it is)."""
    if _ANSWERS.get() is not None:
        yield
        return
    token = _ANSWERS.set({})
    try:
        yield
    finally:
        _ANSWERS.reset(token)


def remembered(function: F) -> F:
    """``function`` (positional, hashable arguments) answered once per arguments in a scope."""

    @functools.wraps(function)
    def wrapper(*args: Hashable) -> Any:
        answers = _ANSWERS.get()
        if answers is None:
            return function(*args)
        key = (function, *args)
        try:
            return answers[key]
        except KeyError:
            found = answers[key] = function(*args)
            return found

    return cast(F, wrapper)

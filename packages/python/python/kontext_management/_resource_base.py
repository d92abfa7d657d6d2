"""What the generated resource classes (``_resources.py``, ``_async_resources.py``) share: the
keyword arguments of a method turned into the camelCase object the API takes.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Union, cast

from ._model import Model, to_wire

#: An input object: a dict (snake_case or camelCase keys) or a model.
Input = Union[Mapping[str, Any], Model]


def _nothing(_: Any) -> None:
    return None


def kw(params: Dict[str, Any], *positional: str) -> Dict[str, Any]:
    """A method's keyword arguments (its ``locals()``) as the camelCase object the API takes.

    ``None`` means "not given" and is left out; ``self`` and the positional (path) parameters
    named in ``positional`` are skipped. Reading ``locals()`` keeps each method to one line
    without restating every parameter name.
    """
    given = {k: v for k, v in params.items() if v is not None and k != "self" and k not in positional}
    return cast(Dict[str, Any], to_wire(given))

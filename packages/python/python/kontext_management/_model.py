"""The base of the typed models: a thin, read-only view over the API's JSON.

A model keeps the camelCase wire object it was built from and reads each attribute from it on
access, so turning a page of 200 results into Python costs one ``json.loads`` plus one small
object per item; nested models are built on first access. ``to_dict()`` gives the wire form back
unchanged, including fields this version of the SDK does not know.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable, Dict, Generic, Iterator, List, Mapping, Optional, Tuple, Type, TypeVar

__all__ = ["Model", "Page", "to_wire", "camel_case", "SECRET_FIELDS"]

#: Wire names whose values are secrets: shown as ``[redacted]`` by every ``repr``.
SECRET_FIELDS = frozenset(
    {
        "clientSecret",
        "serverToken",
        "token",
        "accessToken",
        "refreshToken",
        "codeVerifier",
        "deviceCode",
        "partnerApiKey",
    }
)
_REDACTED = "[redacted]"

#: Free-form JSON (schemas, claims, payloads): passed through as given, keys never renamed.
_OPAQUE_FIELDS = frozenset(
    {"capabilities", "credentialSchema", "requiredClaims", "clientInfo", "requestJson", "responseJson"}
)

_REGISTRY: Dict[str, Type["Model"]] = {}
_UNDERSCORE_WORD = re.compile(r"_([a-z0-9])")


def camel_case(name: str) -> str:
    """``redirect_uris`` → ``redirectUris``; ``from_`` → ``from`` (keyword-escaped names)."""
    if "_" not in name:
        return name
    return _UNDERSCORE_WORD.sub(lambda m: m.group(1).upper(), name.rstrip("_"))


def to_wire(value: Any) -> Any:
    """Turns user input into the camelCase wire form: models give their dict, mapping keys are
    camel-cased recursively (except inside free-form fields), tuples become lists."""
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, Page):
        return value.to_dict()
    if isinstance(value, Mapping):
        out: Dict[str, Any] = {}
        for key, item in value.items():
            wire = camel_case(key) if isinstance(key, str) else key
            out[wire] = item if wire in _OPAQUE_FIELDS else to_wire(item)
        return out
    if isinstance(value, (list, tuple)):
        return [to_wire(item) for item in value]
    return value


def _redact(value: Any) -> Any:
    """A copy of plain JSON with every secret field replaced, for ``repr``."""
    if isinstance(value, dict):
        return {k: (_REDACTED if k in SECRET_FIELDS else _redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


class _Field:
    # Reads one attribute from the wire dict; nested models are built once and cached. (A
    # comment, not a docstring: each field's own ``__doc__`` is what ``help()`` shows.)

    __slots__ = ("name", "wire", "annotation", "model", "many", "required_list", "__doc__")

    def __init__(self, name: str, annotation: str) -> None:
        self.name = name
        self.wire = camel_case(name)
        self.annotation = annotation
        self.model: Optional[Type[Model]] = None
        self.many = False
        self.required_list = False
        self.__doc__ = f"{annotation} (``{self.wire}`` on the wire)"

    def resolve(self) -> None:
        # Annotations are strings (postponed evaluation); only model names matter here.
        text = self.annotation.replace(" ", "")
        match = re.fullmatch(r"Optional\[(.*)\]", text)
        optional = bool(match)
        if match:
            text = match.group(1)
        match = re.fullmatch(r"List\[(.*)\]", text)
        if match:
            text, self.many = match.group(1), True
            # Results pass through as the server sent them: a list it left out reads as empty.
            self.required_list = not optional
        self.model = _REGISTRY.get(text)

    def __get__(self, obj: Optional[Model], owner: type) -> Any:
        if obj is None:
            return self
        value = obj._data.get(self.wire)
        if value is None:
            return [] if self.required_list else None
        if self.model is None:
            return value
        cache = obj._cache
        if cache is None:
            cache = obj._cache = {}
        elif self.wire in cache:
            return cache[self.wire]
        wrap = self.model._wrap
        built = [wrap(v) for v in value] if self.many else wrap(value)
        cache[self.wire] = built
        return built

    def __set__(self, obj: Model, value: Any) -> None:
        raise AttributeError(f"{type(obj).__name__}.{self.name} is read-only; build a new object instead")


def _own_annotations(cls: type, namespace: Dict[str, Any]) -> Dict[str, str]:
    if "__annotations__" in namespace:
        return {k: str(v) for k, v in namespace["__annotations__"].items()}
    try:  # Python 3.14+ may keep annotations behind ``__annotate__``.
        import annotationlib  # type: ignore[import-not-found, unused-ignore]

        found = annotationlib.get_annotations(cls, format=annotationlib.Format.STRING)
        return {k: str(v) for k, v in found.items()}
    except ImportError:
        return {}


class _ModelMeta(type):
    def __new__(mcs, name: str, bases: Tuple[type, ...], namespace: Dict[str, Any]) -> "_ModelMeta":
        namespace.setdefault("__slots__", ())
        cls = super().__new__(mcs, name, bases, namespace)
        annotations = _own_annotations(cls, namespace)
        fields: Dict[str, _Field] = {}
        for base in reversed(cls.__mro__[1:]):
            fields.update(getattr(base, "_fields", {}))
        for attr, annotation in annotations.items():
            if attr.startswith("_"):
                continue
            field = _Field(attr, str(annotation))
            setattr(cls, attr, field)
            fields[attr] = field
        cls._fields = fields  # type: ignore[attr-defined]
        if name != "Model":
            _REGISTRY[name] = cls  # type: ignore[assignment]
        return cls


M = TypeVar("M", bound="Model")


class Model(metaclass=_ModelMeta):
    """A typed, read-only view of one JSON object of the API.

    Attributes are the snake_case names of the wire fields (``client_id`` for ``clientId``).
    ``to_dict()`` returns the camelCase wire form, unknown fields included. Models compare equal
    when their wire forms are equal. Secrets (client secrets, tokens) are readable as attributes
    but never shown by ``repr``.

    Models can also be built by keyword, to pass as input::

        ExternalAuth(enabled=True, issuer="https://partner.example")
    """

    __slots__ = ("_data", "_cache")
    _fields: Dict[str, _Field] = {}

    _data: Dict[str, Any]
    _cache: Optional[Dict[str, Any]]

    def __init__(self, **fields: Any) -> None:
        self._data = to_wire({k: v for k, v in fields.items() if v is not None})
        self._cache = None

    @classmethod
    def _wrap(cls: Type[M], data: Any) -> M:
        # The hot path: results from the engine are trusted wire dicts, wrapped without copying.
        obj = cls.__new__(cls)
        obj._data = data
        obj._cache = None
        return obj

    @classmethod
    def from_dict(cls: Type[M], data: Mapping[str, Any]) -> M:
        """Builds the model from a wire (camelCase) or snake_case dict."""
        return cls._wrap(to_wire(data))

    def to_dict(self) -> Dict[str, Any]:
        """The camelCase wire form (a deep copy), exactly as the API sends it."""
        return copy.deepcopy(self._data)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._data == other._data

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = []
        for field in self._fields.values():
            if field.wire not in self._data or self._data[field.wire] is None:
                continue
            if field.wire in SECRET_FIELDS:
                parts.append(f"{field.name}={_REDACTED!r}")
            elif field.model is not None:
                parts.append(f"{field.name}={getattr(self, field.name)!r}")
            else:
                parts.append(f"{field.name}={_redact(self._data[field.wire])!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self)._wrap, (self._data,))


T = TypeVar("T", bound=Model)


class Page(Generic[T]):
    """One page of a list: ``items`` and, for cursor lists, ``next_cursor`` (``None`` on the
    last page). Iterating a page iterates its items."""

    __slots__ = ("_data", "_item", "_items")

    def __init__(self, items: List[T], next_cursor: Optional[str] = None) -> None:
        self._data: Dict[str, Any] = {"items": [i.to_dict() for i in items]}
        if next_cursor is not None:
            self._data["nextCursor"] = next_cursor
        self._item: Type[Model] = type(items[0]) if items else Model
        self._items: Optional[List[T]] = list(items)

    @classmethod
    def _parser(cls, item: Type[T]) -> Callable[[Any], "Page[T]"]:
        def parse(data: Any) -> "Page[T]":
            page: Page[T] = cls.__new__(cls)
            page._data = data
            page._item = item
            page._items = None
            return page

        return parse

    @property
    def items(self) -> List[T]:
        """The items of this page."""
        if self._items is None:
            wrap = self._item._wrap
            self._items = [wrap(v) for v in self._data.get("items") or []]  # type: ignore[misc]
        return self._items

    @property
    def next_cursor(self) -> Optional[str]:
        """Cursor of the next page; ``None`` on the last page and on lists without cursors."""
        return self._data.get("nextCursor")

    def to_dict(self) -> Dict[str, Any]:
        """The camelCase wire form: ``{"items": [...], "nextCursor": ...}``."""
        return copy.deepcopy(self._data)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self._data.get("items") or [])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Page):
            return NotImplemented
        return self._data == other._data

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Page(items=<{len(self)} {self._item.__name__}>, next_cursor={self.next_cursor!r})"

    def __reduce__(self) -> Tuple[Any, ...]:
        return (_rebuild_page, (self._item, self._data))


def _rebuild_page(item: Type[T], data: Any) -> Page[T]:
    return Page._parser(item)(data)


def resolve_fields() -> None:
    """Links every field to the model class its annotation names (call once all are defined)."""
    for cls in _REGISTRY.values():
        for field in cls._fields.values():
            field.resolve()

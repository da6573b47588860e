"""The base of the enums that carry their Vietnamese label (nhãn tiếng Việt): every member has ``label``; a stored
value that is not a member (old data) is shown as itself."""
from enum import StrEnum


class LabelledEnum(StrEnum):
    """A ``StrEnum`` whose members define ``label`` (Vietnamese). ``label_of(value)``: the label of a stored value,
    or the value itself when it is not a member; ``has(value)``: is it a member's value; ``choices()``: (value,
    label) pairs in definition order, for forms."""

    @property
    def label(self) -> str:
        """The member's Vietnamese label; each subclass defines it (this base has no members of its own)."""
        raise NotImplementedError(f"{type(self).__name__} does not define label")

    @classmethod
    def has(cls, value) -> bool:
        """True when ``value`` (a string, or None) is the value of a member."""
        return value in cls._value2member_map_

    @classmethod
    def label_of(cls, value) -> str:
        """``cls(value).label``, or ``value`` itself when it is not a member's value."""
        return cls(value).label if cls.has(value) else value

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) of every member, in definition order."""
        return [(m.value, m.label) for m in cls]

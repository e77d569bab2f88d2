"""Metric-math expressions of CloudWatch alarms: parsed and evaluated over per-period series.

Metric-math alarms (AWS, "Using metric math"; "Create a CloudWatch alarm based on a metric
math expression") evaluate the one query with ReturnData over per-period series. The
expressions served are the arithmetic the platform's alarms use: query ids, numbers,
`+ - * /`, unary minus, parentheses and `FILL(series, number)`. As on AWS, arithmetic
between series matches periods: a period missing in an operand is missing in the result
(that is what FILL is for), and a division by zero gives no value for that period.

Which query an alarm returns and how ids resolve to metric data is
`tfproof.sandbox.moto_ext.cloudwatch_datapoints`; this module only parses and computes, and
never imports moto.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable

Series = list[float | None]
Value = float | Series
_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(.))")
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _binary(op: str, left: Value, right: Value) -> Value:
    """One arithmetic operator over numbers and/or per-period series (None: no value)."""

    def one(a: float | None, b: float | None) -> float | None:
        if a is None or b is None or (op == "/" and b == 0):
            return None
        return float(_ARITHMETIC[op](a, b))

    if not isinstance(left, list) and not isinstance(right, list):
        result = one(left, right)
        return math.nan if result is None else result
    size = len(left) if isinstance(left, list) else len(right)  # type: ignore[arg-type]
    lefts = left if isinstance(left, list) else [left] * size
    rights = right if isinstance(right, list) else [right] * size
    return [one(a, b) for a, b in zip(lefts, rights, strict=True)]


class _Parser:
    """Recursive descent over the expression; evaluates as it parses (one pass, no tree)."""

    def __init__(self, text: str, resolve: Callable[[str], Value]) -> None:
        self.tokens: list[tuple[str, str]] = []
        for number, name, other in _TOKEN.findall(text):
            if number:
                self.tokens.append(("num", number))
            elif name:
                self.tokens.append(("name", name))
            elif other.strip():
                self.tokens.append(("op", other))
        self.pos = 0
        self.resolve = resolve

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ValueError("unexpected end of expression")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise ValueError(f"expected {expected!r}, got {token[1]!r}")
        self.pos += 1
        return token

    def parse(self) -> Value:
        value = self.sum()
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.pos][1]!r}")
        return value

    def sum(self) -> Value:
        value = self.product()
        while self.peek() in ("+", "-"):
            value = _binary(self.take()[1], value, self.product())
        return value

    def product(self) -> Value:
        value = self.unary()
        while self.peek() in ("*", "/"):
            value = _binary(self.take()[1], value, self.unary())
        return value

    def unary(self) -> Value:
        if self.peek() == "-":
            self.take()
            return _binary("*", -1.0, self.unary())
        return self.primary()

    def primary(self) -> Value:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "op" and text == "(":
            value = self.sum()
            self.take(")")
            return value
        if kind == "name" and self.peek() == "(":
            if text.upper() != "FILL":
                raise ValueError(f"function {text} is not supported")
            self.take("(")
            series = self.sum()
            self.take(",")
            fill = self.sum()
            self.take(")")
            if not isinstance(series, list) or isinstance(fill, list):
                raise ValueError("FILL takes a time series and a number")
            return [fill if v is None else v for v in series]
        if kind == "name":
            return self.resolve(text)
        raise ValueError(f"unexpected {text!r}")


def evaluate_expression(text: str, resolve: Callable[[str], Value], size: int) -> Series:
    """The expression's value per period (`size` periods); raises ValueError when it uses
    syntax or functions this module does not serve. A plain number applies to every period."""
    value = _Parser(text, resolve).parse()
    if isinstance(value, list):
        return value
    return [None if math.isnan(value) else value] * size

"""Request limits: depth, aliases and tokens (strawberry's), plus a cost budget and page-size check.

The cost of a field is 1 plus the cost of its selection, multiplied by its `first` argument when
it has one; so `first: 100` over a nested list costs a hundred times its items. Checked with the
request's variables, before anything is resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    value_from_ast_untyped,
)
from strawberry.extensions import MaxTokensLimiter, SchemaExtension

from resolvers.pagination import DEFAULT_PAGE, MAX_PAGE


class QueryRejected(GraphQLError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, extensions={"code": code})


class CostLimiter(SchemaExtension):
    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None:
            fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
            for op in document.definitions:
                if isinstance(op, OperationDefinitionNode) and (
                    ctx.operation_name is None or (op.name and op.name.value == ctx.operation_name)
                ):
                    cost = _cost(op.selection_set, fragments, ctx.variables or {}, set())
                    if cost > self.max_cost:
                        raise QueryRejected(
                            f"Query cost {cost} exceeds the budget of {self.max_cost}; ask for fewer items",
                            "QUERY_TOO_COMPLEX",
                        )
        yield


def _first(field: FieldNode, variables: dict[str, Any]) -> int | None:
    for arg in field.arguments or ():
        if arg.name.value != "first":
            continue
        value = (
            variables.get(arg.value.name.value)
            if isinstance(arg.value, VariableNode)
            else (value_from_ast_untyped(arg.value, variables))
        )
        if value is None:
            return DEFAULT_PAGE
        if not isinstance(value, int) or value < 0 or value > MAX_PAGE:
            raise QueryRejected(f"'first' must be between 0 and {MAX_PAGE}, got {value!r}", "BAD_USER_INPUT")
        return value
    return None


def _cost(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    seen: set[str],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            child = _cost(sel.selection_set, fragments, variables, seen)
            first = _first(sel, variables)
            total += 1 + child * (first if first is not None else 1)
        elif isinstance(sel, InlineFragmentNode):
            total += _cost(sel.selection_set, fragments, variables, seen)
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
            fragment = fragments.get(sel.name.value)
            if fragment is not None:
                # Each fragment counted once per path; cycles are a validation error anyway.
                total += _cost(fragment.selection_set, fragments, variables, seen | {sel.name.value})
    return total


def _depth(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode], seen: frozenset[str]
) -> int:
    if selection_set is None:
        return 0
    deepest = 0
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            if sel.name.value.startswith("__"):
                continue  # introspection is bounded by the schema itself
            deepest = max(deepest, 1 + _depth(sel.selection_set, fragments, seen))
        elif isinstance(sel, InlineFragmentNode):
            deepest = max(deepest, _depth(sel.selection_set, fragments, seen))
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
            fragment = fragments.get(sel.name.value)
            if fragment is not None:
                deepest = max(deepest, _depth(fragment.selection_set, fragments, seen | {sel.name.value}))
    return deepest


def _aliases(node: Node) -> int:
    count = 0
    for child in _children(node):
        if isinstance(child, FieldNode) and child.alias is not None:
            count += 1
        count += _aliases(child)
    return count


def _children(node: Node) -> Iterator[Node]:
    selection_set = getattr(node, "selection_set", None)
    if selection_set is not None:
        yield from selection_set.selections


def static_limit_rules(*, max_depth: int, max_aliases: int) -> list[type[ASTValidationRule]]:
    """Depth and alias limits as validation rules built once, so validation results can be cached."""

    class DepthLimit(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
            document = self.context.document
            fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
            depth = _depth(node.selection_set, fragments, frozenset())
            if depth > max_depth:
                self.report_error(
                    QueryRejected(f"Query depth {depth} exceeds the maximum depth of {max_depth}", "QUERY_TOO_COMPLEX")
                )

    class AliasLimit(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_args: Any) -> None:
            count = sum(_aliases(d) for d in node.definitions)
            if count > max_aliases:
                self.report_error(
                    QueryRejected(f"{count} aliases exceed the maximum of {max_aliases} alias", "QUERY_TOO_COMPLEX")
                )

    return [DepthLimit, AliasLimit]


def limit_extensions(*, max_tokens: int, max_cost: int) -> list[Callable[[], SchemaExtension]]:
    """Factories, so each request gets fresh extension instances."""
    return [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: CostLimiter(max_cost=max_cost),
    ]

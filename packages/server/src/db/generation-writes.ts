/**
 * Which `generations` rows a statement may have changed, read from the statement itself: the embedded database's
 * connection reports every statement it ran (database.ts), and the cache of polled generation rows
 * (services/polled-generations.ts) drops what this says. Every writer in the process (the worker's transitions,
 * retention sweeps, the GDPR erase, account deletion through its cascade, a test's direct UPDATE, a writer added
 * later) goes through that one connection, so none has to remember the cache.
 *
 * It errs towards "every row": only a plain SELECT, a plain INSERT (a new row, never one a poll already read: a poll
 * of a missing id is not cached), a write to another table that cannot reach `generations`, and transaction control
 * change nothing; an UPDATE or DELETE of `generations` whose WHERE pins the ids (`id = ?`, `id in (…)`, alone or
 * in an AND) changes those ids; anything else, every row. Any DELETE of another table counts as every row: deleting
 * an account deletes its generations (ON DELETE CASCADE), and a cascade added later is covered the same way. Deletes
 * are rare (sweeps, erasures, product deletion), so the cost is a few more reads.
 */
import {
  AliasNode,
  AndNode,
  BinaryOperationNode,
  ColumnNode,
  type CompiledQuery,
  DeleteQueryNode,
  InsertQueryNode,
  type OperationNode,
  OperatorNode,
  ParensNode,
  PrimitiveValueListNode,
  RawNode,
  ReferenceNode,
  SelectQueryNode,
  TableNode,
  UpdateQueryNode,
  ValueListNode,
  ValueNode,
} from 'kysely';

const TABLE = 'generations';

/** Nothing (null), these rows, or any row ('all'). */
export type GenerationRowsWritten = readonly string[] | 'all' | null;

/** SQL that reads or controls a transaction: the prepared reads (prepared.ts), `PRAGMA data_version`, BEGIN… */
const READ_OR_CONTROL = /^\s*(?:select|pragma|begin|commit|end|rollback|savepoint|release)\b/i;

export function generationRowsWritten(query: CompiledQuery): GenerationRowsWritten {
  const node = query.query;
  if (SelectQueryNode.is(node)) return null;
  if (RawNode.is(node)) return READ_OR_CONTROL.test(node.sqlFragments[0] ?? '') ? null : 'all';
  if (InsertQueryNode.is(node)) {
    // INSERT OR REPLACE deletes the row it replaces (and what cascades from it); an upsert may update a generation.
    if (node.replace || node.orAction) return 'all';
    if (tableName(node.into) !== TABLE) return null;
    return node.onConflict || node.onDuplicateKey ? 'all' : null;
  }
  if (UpdateQueryNode.is(node)) {
    const table = node.table && tableName(node.table);
    if (table === undefined) return 'all';
    if (table !== TABLE) return null;
    return node.from || node.joins || node.with ? 'all' : (pinnedIds(node.where?.where) ?? 'all');
  }
  if (DeleteQueryNode.is(node)) {
    const [only, ...more] = node.from.froms;
    if (!only || more.length || tableName(only) !== TABLE) return 'all';
    return node.using || node.joins || node.with ? 'all' : (pinnedIds(node.where?.where) ?? 'all');
  }
  // Schema changes, MERGE, anything this does not know.
  return 'all';
}

/** A table's name (aliases looked through), or undefined for anything else (a subquery, a list of tables). */
function tableName(node: OperationNode | undefined): string | undefined {
  const table = node && AliasNode.is(node) ? node.node : node;
  if (!table || !TableNode.is(table) || table.table.schema) return undefined;
  return table.table.identifier.name;
}

/** The ids a WHERE limits the rows to, or null when it does not limit them to a list of ids. */
function pinnedIds(node: OperationNode | undefined): string[] | null {
  if (!node) return null;
  if (ParensNode.is(node)) return pinnedIds(node.node);
  // Rows matching both sides match either, so one side's ids bound them.
  if (AndNode.is(node)) return pinnedIds(node.left) ?? pinnedIds(node.right);
  if (!BinaryOperationNode.is(node) || !isIdColumn(node.leftOperand) || !OperatorNode.is(node.operator)) return null;
  const operator = node.operator.operator;
  const right = node.rightOperand;
  let values: readonly unknown[] | null = null;
  if (operator === '=' && ValueNode.is(right)) values = [right.value];
  else if (operator === 'in' && PrimitiveValueListNode.is(right)) values = right.values;
  else if (operator === 'in' && ValueListNode.is(right) && right.values.every((v) => ValueNode.is(v))) {
    values = right.values.map((v) => (v as ValueNode).value);
  }
  return values?.every((v) => typeof v === 'string') ? (values as string[]) : null;
}

/** `id` or `generations.id`. */
function isIdColumn(node: OperationNode): boolean {
  if (ColumnNode.is(node)) return node.column.name === 'id';
  if (!ReferenceNode.is(node) || !ColumnNode.is(node.column) || node.column.column.name !== 'id') return false;
  return node.table === undefined || tableName(node.table) === TABLE;
}

import { integer, real, text, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import { GENDERS, VISIT_OUTCOMES } from '../shared/vocabulary';

/**
 * Domain columns of the synced tables, as factories so the client schema (with foreign keys) and the
 * server schema (without: rows from many PCs arrive in any order) are derived from one definition.
 */

export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

type ParentRef = (() => AnySQLiteColumn) | undefined;

function householdRef(parent: ParentRef) {
  const column = text('household_id').notNull();
  return parent ? column.references(parent) : column;
}

/** Account (username) that entered the record on its PC: a record knows who entered it. */
function enteredBy() {
  return text('entered_by').notNull().default('');
}

export function householdColumns() {
  return {
    area: text('area').notNull(),
    address: text('address').notNull().default(''),
    headName: text('head_name').notNull().default(''),
    phone: text('phone').notNull().default(''),
    geoLat: real('geo_lat'),
    geoLng: real('geo_lng'),
    notes: text('notes').notNull().default(''),
    enteredBy: enteredBy(),
  };
}

export function personColumns(parent?: ParentRef) {
  return {
    householdId: householdRef(parent),
    fullName: text('full_name').notNull(),
    /** ISO date (YYYY-MM-DD); text so partial knowledge never turns into a fake timestamp. */
    dateOfBirth: text('date_of_birth'),
    gender: text('gender', { enum: GENDERS }).notNull().default('unknown'),
    phone: text('phone').notNull().default(''),
    idDocument: text('id_document').notNull().default(''),
    attributes: text('attributes', { mode: 'json' }).$type<JsonObject>().notNull().default({}),
    enteredBy: enteredBy(),
  };
}

export function visitColumns(parent?: ParentRef) {
  return {
    householdId: householdRef(parent),
    visitedAt: integer('visited_at').notNull(),
    outcome: text('outcome', { enum: VISIT_OUTCOMES }).notNull(),
    notes: text('notes').notNull().default(''),
    answers: text('answers', { mode: 'json' }).$type<JsonObject>().notNull().default({}),
    enteredBy: enteredBy(),
  };
}

/**
 * A field value overwritten by a concurrent write (protocol v2), recorded where it was decided and
 * synced so the PC and the account that lost it learn of it. Dismissing one tombstones it.
 */
export function conflictColumns() {
  return {
    recordTable: text('record_table').notNull(),
    recordId: text('record_id').notNull(),
    /** The field's key on the wire; `deletedAt` for an edit hidden by a delete. */
    field: text('field').notNull(),
    lostValue: text('lost_value', { mode: 'json' }).$type<JsonValue>(),
    wonValue: text('won_value', { mode: 'json' }).$type<JsonValue>(),
    lostAt: integer('lost_at').notNull(),
    lostMachineId: text('lost_machine_id').notNull(),
    lostBy: text('lost_by').notNull().default(''),
    wonAt: integer('won_at').notNull(),
    wonMachineId: text('won_machine_id').notNull(),
    wonBy: text('won_by').notNull().default(''),
  };
}

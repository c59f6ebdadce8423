import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

export const SRC = path.resolve(__dirname, '../../src');

/** One import, `export ... from`, `require()` or `import()` of one module in src. */
export interface Import {
  /** The importing module, relative to src: 'accounts/accounts-service.ts'. */
  from: string;
  /** A module in src ('ipc/errors.ts'), a package ('drizzle-orm') or a Node built-in ('node:fs'). */
  to: string;
  inSrc: boolean;
  /** Erased when compiled (`import type`, or every name marked `type`): nothing of it runs. */
  typeOnly: boolean;
}

/** The layer a module belongs to: its folder under src, or the file itself when it sits directly in src. */
export function layerOf(module: string): string {
  return module.split('/')[0]!;
}

export function readImports(): Import[] {
  return sourceFiles(SRC).flatMap((file) => importsOf(file));
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (specifier && ts.isStringLiteralLike(specifier)) found.push(resolve(file, specifier.text, typeOnly));
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, isTypeOnlyImport(node.importClause));
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, isTypeOnlyExport(node));
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
    else if (ts.isCallExpression(node) && isRequireOrDynamicImport(node)) add(node.arguments[0], false);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isTypeOnlyImport(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false; // `import './x'` runs x
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const named = node.exportClause;
  return !!named && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

function isRequireOrDynamicImport(call: ts.CallExpression): boolean {
  const callee = call.expression;
  return callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require');
}

function resolve(file: string, specifier: string, typeOnly: boolean): Import {
  const from = path.relative(SRC, file);
  if (!specifier.startsWith('.')) {
    return { from, to: packageName(specifier), inSrc: false, typeOnly };
  }
  const base = path.resolve(path.dirname(file), specifier);
  const target = [`${base}.ts`, path.join(base, 'index.ts'), base].find((candidate) => fs.statSync(candidate, { throwIfNoEntry: false })?.isFile());
  if (!target) throw new Error(`${from}: cannot resolve '${specifier}'`);
  return { from, to: path.relative(SRC, target), inSrc: true, typeOnly };
}

/** 'drizzle-orm/sqlite-core' -> 'drizzle-orm', '@scope/name/sub' -> '@scope/name'; built-ins stay whole. */
function packageName(specifier: string): string {
  if (isBuiltin(specifier)) return specifier;
  return specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

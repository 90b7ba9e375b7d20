"""Which cells of a notebook a grade depends on, so that grading runs only those.

A grade is decided by the check cells alone (:mod:`.grade`): each check cell
calls the learner's answer on cases drawn from the notebook's seed, and later
cells use the package's reference functions, so a figure, a demo or a worked
example that no answer or check cell reads cannot change a single point. In
grading mode the grader runs the answer and check cells and every cell they
depend on, and gives the others nbval's ``nbval-skip`` tag (``nncourse grade
--run-every-cell`` turns this off).

"Depends on" is worked out from the cells' source, conservatively, as
reaching definitions over the cells in order:

* a cell **reads** the global names it loads before binding them itself
  (names local to a function or comprehension are not global reads; a function
  body's global reads count, since it may run later);
* a cell **binds** the names it assigns, imports or defines anywhere at
  module level, and **changes** an object it calls a method on
  (``rng.normal()``, ``history.append()``), assigns an attribute or item of
  (``W[0] = 1``), updates in place, hands to a known in-place function
  (``rng.shuffle(x)``, ``np.copyto(x, …)``, ``out=x``); a call on an
  imported module changes it only where it changes module state (the global
  random generator, print options, warning filters, ``rcParams``);
* a read of ``name`` in a needed cell needs every earlier cell that binds or
  changes ``name``, back to the nearest one that replaces it outright (a
  plain top-level assignment, import or definition);
* a cell this cannot see through needs everything before it: source that
  does not parse, ``eval``/``exec``, ``globals()``/``locals()``/``vars()``,
  ``get_ipython()``, ``setattr``, ``from x import *``. The one exception is the
  course's own ``your_parts(..., namespace=globals())``, which only reads the
  functions the answer cells define (:mod:`nncourse.yours`).

What it does not follow: state reached other than by name (a file one cell
writes and another reads, ``sys.modules``), which no course cell uses. Every
batch's canary runs the instructor notebook through the same selection and
must reproduce every cell that runs and get full marks, so a dependency the
analysis missed in a lesson aborts the batch instead of changing a grade.
"""

from __future__ import annotations

import ast
from functools import lru_cache

from . import notebook_format as nf

#: The tag nbval skips a cell for (its ``# NBVAL_SKIP`` comment as metadata).
SKIP_TAG = "nbval-skip"

#: Calls that make a cell's effects invisible to this analysis.
_OPAQUE_CALLS = {"eval", "exec", "globals", "locals", "vars", "get_ipython", "setattr", "delattr",
                 "__import__", "compile"}
#: Attributes whose call on a module changes state that later cells see.
_MODULE_STATE = {"seed", "set_printoptions", "printoptions", "seterr", "errstate", "set_state",
                 "rcParams", "rc", "rcdefaults", "use", "filterwarnings", "simplefilter", "resetwarnings",
                 "set_default_dtype", "setrecursionlimit", "chdir", "putenv", "environ"}
#: Functions of ``<module>.random`` that make a new generator instead of drawing from the global one.
_PURE_RANDOM = {"default_rng", "Generator", "PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937",
                "SeedSequence", "RandomState", "BitGenerator"}
#: Line magics that change only how output is displayed.
_PLAIN_MAGICS = {"matplotlib", "config"}
#: Functions that change their (positional) arguments in place.
_CHANGE_ARGUMENTS = {"shuffle", "copyto", "put", "place", "putmask", "fill_diagonal", "update"}


def _names_in(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _walk_scope(body: list):
    """The nodes of one scope's statements, not entering nested functions, classes or lambdas."""
    pending = list(body)
    while pending:
        node = pending.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                yield child  # its name is bound here; its body is its own scope
                pending.extend(child.decorator_list)
            elif not isinstance(child, ast.Lambda):
                pending.append(child)


def _replaced_by(stmt: ast.stmt) -> set[str]:
    """Names a top-level statement gives a new value whatever ran before."""
    if isinstance(stmt, ast.Assign):
        return {n for t in stmt.targets for n in _names_in(t)}
    if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        return _names_in(stmt.target)
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*"}
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    return set()


def _start_of(node: ast.AST) -> tuple[ast.AST, list[str]]:
    """The expression a chain like ``a.b[0].c`` starts from, and the attributes before any call in it."""
    chain: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            chain.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            chain = []  # what a call returns is a new object: the chain starts again
            node = node.func
        else:
            return node, chain[::-1]


class _Effects(ast.NodeVisitor):
    """Global names an AST reads, binds and changes (reads without regard to order; see :class:`CellFacts`)."""

    def __init__(self, imported: frozenset):
        self.imported = imported
        self.reads: set[str] = set()
        self.binds: set[str] = set()
        self.changes: set[str] = set()
        self.opaque = False
        self._scopes: list[tuple[set[str], bool]] = []  # (names, is a class body)

    def _local(self, name: str) -> bool:
        """Python's lookup: the innermost scope, then enclosing functions (a class body hides nothing)."""
        return any(name in names for k, (names, is_class) in enumerate(self._scopes)
                   if k == len(self._scopes) - 1 or not is_class)

    # Names.
    def visit_Name(self, node: ast.Name) -> None:
        if self._local(node.id):
            return
        if isinstance(node.ctx, ast.Load):
            self.reads.add(node.id)
        else:
            self.binds.add(node.id)

    def visit_Global(self, node: ast.Global) -> None:
        self.binds.update(node.names)

    visit_Nonlocal = visit_Global

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                self.opaque = True
            elif not self._scopes:
                self.binds.add((alias.asname or alias.name).split(".")[0])

    visit_ImportFrom = visit_Import

    # Scopes: a function's parameters and the names it assigns (unless declared global) are its own.
    def _scope(self, node: ast.AST, args: ast.arguments | None, body: list, is_class: bool = False) -> None:
        for default in (args.defaults + [d for d in args.kw_defaults if d is not None]) if args else []:
            self.visit(default)
        local: set[str] = set()
        if args is not None:
            local |= {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
            local |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        declared = {name for n in _walk_scope(body) if isinstance(n, (ast.Global, ast.Nonlocal)) for name in n.names}
        for n in _walk_scope(body):
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
                local.add(n.id)
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                local.add(n.name)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                local |= {(a.asname or a.name).split(".")[0] for a in n.names}
        self._scopes.append((local - declared, is_class))
        for stmt in body:
            self.visit(stmt)
        self._scopes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if not self._scopes:
            self.binds.add(node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._scope(node, node.args, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scope(node, node.args, [ast.Expr(node.body)])

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if not self._scopes:
            self.binds.add(node.name)
        for expr in node.bases + node.keywords + node.decorator_list:
            self.visit(expr)
        self._scope(node, None, node.body, is_class=True)

    def _comprehension(self, node, results: list) -> None:
        self.visit(node.generators[0].iter)  # evaluated outside the comprehension's scope
        self._scopes.append(({n for g in node.generators for n in _names_in(g.target)}, False))
        for i, generator in enumerate(node.generators):
            if i:
                self.visit(generator.iter)
            for condition in generator.ifs:
                self.visit(condition)
        for result in results:
            self.visit(result)
        self._scopes.pop()

    def visit_ListComp(self, node) -> None:
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])

    # Changes to objects that already exist.
    def _change(self, node: ast.AST) -> None:
        start, _ = _start_of(node)
        if isinstance(start, ast.Name) and not self._local(start.id):
            self.changes.add(start.id)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if _magic_of(node) in _PLAIN_MAGICS:
            return  # %matplotlib inline, %config ...: display settings only
        if isinstance(func, ast.Name) and func.id in _OPAQUE_CALLS:
            self.opaque = True
        if _is_your_parts_namespace(node):
            for keyword in node.keywords:
                if keyword.arg != "namespace":
                    self.visit(keyword.value)
            for arg in node.args:
                self.visit(arg)
            self.visit(func)
            return
        start, chain = _start_of(func)
        if isinstance(start, ast.Name) and chain and not self._local(start.id):
            if start.id not in self.imported:
                self.changes.add(start.id)  # a method call may change its object
            elif _MODULE_STATE & set(chain) or ("random" in chain and chain[-1] not in _PURE_RANDOM):
                self.changes.add(start.id)
        called = chain[-1] if chain else (func.id if isinstance(func, ast.Name) else "")
        if called in _CHANGE_ARGUMENTS:
            for arg in node.args:
                self._change(arg)
        for keyword in node.keywords:
            if keyword.arg == "out":
                self._change(keyword.value)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if not isinstance(node.ctx, ast.Load):
            self._change(node)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if not isinstance(node.ctx, ast.Load):
            self._change(node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            if not self._local(node.target.id):
                self.reads.add(node.target.id)  # x += 1 reads the x it had
        else:
            self._change(node.target)
        self.generic_visit(node)


def _magic_of(node: ast.AST) -> str | None:
    """``name`` of a translated line magic, ``get_ipython().run_line_magic('name', '...')``; else None."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "run_line_magic"
            and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name)
            and node.func.value.func.id == "get_ipython" and node.args and isinstance(node.args[0], ast.Constant)):
        return node.args[0].value
    return None


def _is_your_parts_namespace(node: ast.Call) -> bool:
    """``your_parts(..., namespace=globals())``: reads only what the answer cells define."""
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name == "your_parts" and any(
        k.arg == "namespace" and isinstance(k.value, ast.Call) and isinstance(k.value.func, ast.Name)
        and k.value.func.id == "globals" and not k.value.args for k in node.keywords)


class CellFacts:
    """What one code cell reads, binds, changes and replaces (see the module's docstring)."""

    def __init__(self, source: str, imported: frozenset):
        self.reads: set[str] = set()
        self.binds: set[str] = set()
        self.changes: set[str] = set()
        self.replaces: set[str] = set()
        tree = _parse(source)
        self.opaque = tree is None
        if tree is None:
            return
        effects = _Effects(imported)
        effects.visit(tree)
        self.opaque = effects.opaque
        self.binds, self.changes = effects.binds, effects.changes
        self.replaces = set().union(*(_replaced_by(stmt) for stmt in tree.body)) if tree.body else set()
        self.reads = self._reads_before_binding(tree.body, set(), imported)

    def _reads_before_binding(self, body: list, bound: set, imported: frozenset) -> set:
        """Names ``body`` reads that it has not surely bound before (statements in order)."""
        found: set[str] = set()
        for stmt in body:
            if isinstance(stmt, (ast.For, ast.AsyncFor)):
                found |= _reads(stmt.iter, imported) - bound
                found |= self._reads_before_binding(stmt.body, bound | _names_in(stmt.target), imported)
                found |= self._reads_before_binding(stmt.orelse, bound, imported)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                inner = set(bound)
                for item in stmt.items:
                    found |= _reads(item.context_expr, imported) - bound
                    if item.optional_vars is not None:
                        inner |= _names_in(item.optional_vars)
                found |= self._reads_before_binding(stmt.body, inner, imported)
            elif isinstance(stmt, (ast.If, ast.While)):
                found |= _reads(stmt.test, imported) - bound
                found |= self._reads_before_binding(stmt.body, bound, imported)
                found |= self._reads_before_binding(stmt.orelse, bound, imported)
            elif isinstance(stmt, ast.Try):
                for block in (stmt.body, stmt.orelse, stmt.finalbody):
                    found |= self._reads_before_binding(block, bound, imported)
                for handler in stmt.handlers:
                    if handler.type is not None:
                        found |= _reads(handler.type, imported) - bound
                    found |= self._reads_before_binding(handler.body, bound | {handler.name} - {None}, imported)
            else:
                found |= _reads(stmt, imported) - bound
                bound = bound | _replaced_by(stmt)
        return found


def _reads(node: ast.AST, imported: frozenset) -> set[str]:
    effects = _Effects(imported)
    effects.visit(node)
    return effects.reads


@lru_cache(maxsize=512)
def _parse(source: str) -> ast.Module | None:
    """A cell's source as Python (IPython's magics and ``!`` lines translated first), or None."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _imported_names(sources: list[str]) -> frozenset:
    names = set()
    for source in sources:
        tree = _parse(source)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
    return frozenset(names)


def needed_cells(sources: list[str], required: set[int]) -> set[int]:
    """Indices of the cells (of ``sources``, in order) that the ``required`` cells depend on, those included."""
    imported = _imported_names(sources)
    facts = [CellFacts(source, imported) for source in sources]
    needed = set(required) | {i for i, f in enumerate(facts) if f.opaque and i < max(required, default=-1)}
    pending = sorted(needed)
    while pending:
        j = pending.pop()
        if facts[j].opaque:
            found = set(range(j))
        else:
            found = set()
            for name in facts[j].reads:
                for i in range(j - 1, -1, -1):
                    earlier = facts[i]
                    if earlier.opaque or name in earlier.binds or name in earlier.changes:
                        found.add(i)
                    if name in earlier.replaces:
                        break
        found -= needed
        needed |= found
        pending.extend(found)
    return needed


def unread_imports(sources: list[str], needed: set[int]) -> dict[int, list[tuple[int, int]]]:
    """Import statements of needed cells whose names no needed cell reads afterwards: ``{cell: [(first, last line)]}``.

    They only cost time (``import matplotlib.pyplot`` is half a second). A
    ``%matplotlib`` line goes with them when no needed cell keeps an import of
    matplotlib. Nothing is dropped when a needed cell cannot be seen through,
    or from a cell whose magics change its line numbering.
    """
    imported = _imported_names(sources)
    facts = {i: CellFacts(sources[i], imported) for i in needed}
    if any(f.opaque for f in facts.values()):
        return {}
    order = sorted(needed)
    drop: dict[int, list[tuple[int, int]]] = {}
    kept_matplotlib, magic_lines = False, {}
    for position, i in enumerate(order):
        tree = _parse(sources[i])
        if tree is None or len(sources[i].splitlines()) != len(_translated(sources[i]).splitlines()):
            continue
        read_later = set().union(*(facts[j].reads for j in order[position + 1:]), set())
        lines_of = {}
        for stmt in tree.body:
            for line in range(stmt.lineno, stmt.end_lineno + 1):
                lines_of.setdefault(line, []).append(stmt)
        for k, stmt in enumerate(tree.body):
            if _magic_of(stmt.value if isinstance(stmt, ast.Expr) else None) == "matplotlib":
                magic_lines[i] = (stmt.lineno, stmt.end_lineno)
                continue
            if not isinstance(stmt, (ast.Import, ast.ImportFrom)):
                continue
            names = _replaced_by(stmt)
            alone = all(len(lines_of[line]) == 1 for line in range(stmt.lineno, stmt.end_lineno + 1))
            read_here = set().union(*(_reads(later, imported) for later in tree.body[k + 1:]), set())
            if alone and names and not names & (read_later | read_here):
                drop.setdefault(i, []).append((stmt.lineno, stmt.end_lineno))
            elif _imports_matplotlib(stmt):
                kept_matplotlib = True
    if not kept_matplotlib:
        for i, lines in magic_lines.items():
            drop.setdefault(i, []).append(lines)
    return drop


def _imports_matplotlib(stmt: ast.Import | ast.ImportFrom) -> bool:
    modules = [a.name for a in stmt.names] if isinstance(stmt, ast.Import) else [stmt.module or ""]
    return any(m.split(".")[0] == "matplotlib" for m in modules)


def _translated(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def skip_unneeded(nb: dict) -> tuple[int, int]:
    """Prepare ``nb`` (notebook JSON, changed in place) for a grading run of only what the checks depend on.

    Code cells no answer or check cell depends on get the ``nbval-skip`` tag
    and lose their outputs; imports no needed cell reads are taken out of the
    cells that run (:func:`unread_imports`); images are dropped from every
    output (nbval never compares them). Returns (cells run, cells skipped).
    """
    code = [c for c in nb.get("cells", []) if isinstance(c, dict) and c.get("cell_type") == "code"]
    sources = [nf.source_text(c) for c in code]
    required = {i for i, c in enumerate(code) if nf.is_answer_cell(c) or nf.is_check_cell(c)}
    needed = needed_cells(sources, required)
    for i, spans in unread_imports(sources, needed).items():
        if nf.is_answer_cell(code[i]):
            continue  # the learner's own cell runs as written
        lines = sources[i].splitlines(keepends=True)
        for first, last in spans:
            for line in range(first, last + 1):
                lines[line - 1] = "\n" if lines[line - 1].endswith("\n") else ""
        nf.set_source(code[i], "".join(lines))
    for i, cell in enumerate(code):
        outputs = cell.get("outputs") if isinstance(cell.get("outputs"), list) else []
        for output in outputs:
            data = output.get("data") if isinstance(output, dict) else None
            for kind in ("image/png", "image/jpeg"):
                if isinstance(data, dict):
                    data.pop(kind, None)
        if i in needed:
            continue
        metadata = cell.setdefault("metadata", {})
        tags = metadata.get("tags") if isinstance(metadata.get("tags"), list) else []
        metadata["tags"] = [*tags, SKIP_TAG] if SKIP_TAG not in tags else tags
        cell["outputs"] = []
    return len(needed), len(code) - len(needed)

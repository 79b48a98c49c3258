"""The package's shape: no import cycle (lazy imports included), every
private Keras/scikeras access in one module."""

import ast
from pathlib import Path

import skfer

ROOT = Path(skfer.__file__).resolve().parent


def _module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports():
    """module -> the skfer modules it imports, at the top or in a function."""
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    lazy = {name: target for name, target in skfer._LAZY.items()}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if not target.startswith("skfer"):
                    continue
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    if full in modules:
                        edges.add(full)
                    elif target == "skfer" and alias.name in lazy:
                        edges.add(lazy[alias.name])  # skfer.FERClassifier & co
                    elif target in modules and target != "skfer":
                        edges.add(target)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in modules and alias.name != "skfer":
                        edges.add(alias.name)
        edges.discard(name)
        graph[name] = edges
    return graph


def _cycles(graph):
    found, state, stack = [], {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_no_import_cycles_even_through_lazy_imports():
    graph = _imports()
    assert "skfer._classifier" in graph and graph["skfer.inference"]
    cycles = _cycles({k: v for k, v in graph.items() if k != "skfer"})
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_keras_private_modules_are_reached_from_compat_only():
    """``keras.src`` (Keras' private package) and TensorFlow's
    ``tensorflow.python`` are imported in ``skfer._compat`` alone, so that a
    Keras or TensorFlow release that moves them breaks one module."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        if path.name == "_compat.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith(("keras.src", "tensorflow.python")):
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert not offenders, offenders


def test_no_module_is_over_700_lines():
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text().splitlines())
        for p in ROOT.rglob("*.py")
    }
    too_big = {name: lines for name, lines in sizes.items() if lines > 700}
    assert not too_big, f"modules over 700 lines: {too_big}"

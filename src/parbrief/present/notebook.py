"""What importing parbrief's notebook modules sets up in a running IPython kernel.

* parbrief's own errors (``ParbriefError``: bad data, an unknown locality or quarter, a wrong
  parameter) show as one short box: what, where, how to fix it. The traceback of the code that
  found the problem is left out: the analyst changes a parameter or a file, not parbrief. Any
  other exception (a bug) keeps its full traceback. The cell still fails (the batch and
  papermill see the error, with its name and message, as before).
* ``b`` (a ``Briefing``) shows as a compact summary listing its tables and the calls that
  explain it, in the notebook's language.

Nothing happens outside IPython (the command line, tests importing the modules).
"""

from __future__ import annotations

from parbrief.core.errors import ParbriefError, short_report

RED, BOLD, RESET = "\x1b[1;31m", "\x1b[1m", "\x1b[0m"


def short_traceback(error: ParbriefError) -> list[str]:
    """The lines of the error box (ANSI colours, as JupyterLab shows tracebacks)."""
    title, lines = short_report(error)
    out = [f"{RED}parbrief: {title}{RESET}"]
    for line in lines:
        for label in ("Where:", "Fix:"):
            if line.startswith(label):
                line = f"{BOLD}{label}{RESET}{line[len(label):]}"
        out.append(line)
    return ["\n".join(out)]


def _handler(shell, etype, value, tb, tb_offset=None):
    # IPython keeps the cell failed (error_in_exec) and sends what _showtraceback is given as
    # the cell's error output: ename and evalue as usual, these lines as the traceback.
    shell._showtraceback(etype, value, short_traceback(value))
    return None


def register(shell=None) -> bool:
    """Install the short error box and the displays; True if there was a kernel to install in."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((ParbriefError,), _handler)
    from parbrief.model.briefing import Briefing
    from parbrief.present.explain import briefing_html

    html = shell.display_formatter.formatters.get("text/html")
    if html is not None:
        html.for_type(Briefing, lambda b: briefing_html(b))
    return True


__all__ = ["register", "short_traceback"]

"""parbrief: reproducible quarterly briefings on Vietnam's public administration reform (PAR) index.

Data flows one way: raw figures -> validated table -> metrics -> scores -> findings
-> briefing notebook -> rendered HTML/PDF. Each arrow is one module.
"""

__version__ = "0.1.0"

PACKAGE_ROOT = __import__("pathlib").Path(__file__).resolve().parent

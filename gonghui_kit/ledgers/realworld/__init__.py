"""A real-world corpus: ledgers shaped like what grassroots unions send, made
from the sample generator's records and mess, each with its truth.

- :mod:`.book`: a generated workbook opened for reshaping (where each table and record sits);
- :mod:`.shapes`: what offices do to a ledger, one registered function per kind
  (merged dates, numbers as dates, capitals, account codes, transfers, totals,
  signature lines, repeated and two-row headers, 收入/支出 columns, hidden
  drafts, renamed sheets) and planted errors;
- :mod:`.containers`: how it travels (.xlsx/.xls/.ods, a folder of per-topic
  .xlsx/.csv, several 分会 in one workbook, a 统计表);
- :mod:`.corpus`: :func:`make_corpus` and :func:`random_variant`.
"""

from gonghui_kit.ledgers.realworld.containers import CONTAINERS
from gonghui_kit.ledgers.realworld.corpus import Corpus, Output, Variant, make_corpus, random_variant
from gonghui_kit.ledgers.realworld.shapes import SHAPES

__all__ = ["CONTAINERS", "SHAPES", "Corpus", "Output", "Variant", "make_corpus", "random_variant"]

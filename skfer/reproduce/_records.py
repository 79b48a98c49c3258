"""The report's records as a frame, and the lookups and table type every
table of the report uses."""

import numpy as np

__all__ = ["find", "missing", "records_frame", "table"]


def records_frame(records):
    """The records as a DataFrame, one row per figure (the report's tables are
    selections and pivots of it)."""
    import pandas as pd

    frame = pd.DataFrame.from_records(records)
    for column in ("experiment", "split", "metric", "classifier", "value"):
        if column not in frame:
            frame[column] = None
    frame["record"] = pd.Series(records, index=frame.index, dtype=object)
    return frame


def find(frame, experiment, split=None, metric="accuracy"):
    """The first record of ``experiment`` with that split and metric, or None."""
    mask = (frame["experiment"] == experiment) & (frame["metric"] == metric)
    if split is not None:
        mask &= frame["split"] == split
    hits = frame.loc[mask, "record"]
    return None if hits.empty else hits.iloc[0]


def missing(value):
    return value is None or (isinstance(value, float) and np.isnan(value))


def table(header, rows):
    import pandas as pd

    return pd.DataFrame(rows, columns=header)

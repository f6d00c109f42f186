"""Outer designs: how the rows split into (training, test) parts.

The search runs inside each part's training rows (inner folds, pruning, storage); the winner is
refit on them and scores the part's test rows. The default design is one part: the seed article's
split (or a stratified one, for other tables).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from data import DataError, Dataset, check_folds
from objectives import (
    Columns,
    FoldPlan,
    PreparedFold,
    plan_fingerprint,
    prepare_fold,
    prepare_folds,
    split_rows,
)
from studies.settings import Settings
from studies.trials.protocol import (
    BOOTSTRAP,
    DEFAULT,
    FROM_CLEVELAND,
    HELD_OUT,
    NESTED,
    OUTER,
    REPLICATE,
    SITES,
    SPLIT,
)

#: The seed article's ``random_state``: the test rows stay the same whatever ``--seed`` is.
SPLIT_SEED = 42


@dataclass(frozen=True)
class Part:
    """One (training rows, test rows) part of an outer design.

    Its design and role are stored in its studies' protocol when they are made; the report
    reads them there. The name only makes the studies' names readable and unique.

    Attributes:
        name: the study-name suffix of its studies ("" for the default design).
        train: positions of its training rows in the data set.
        test: positions of its test rows (may be empty).
        description: what its test rows are, for messages.
        design: the outer design it belongs to (:data:`SPLIT`, :data:`NESTED`, :data:`SITES`).
        role: what it is in that design (:data:`DEFAULT`, :data:`OUTER`, :data:`HELD_OUT`,
            :data:`FROM_CLEVELAND`).
        held_out: the site its test rows come from (a held-out site's part), else "".
    """

    name: str
    train: np.ndarray
    test: np.ndarray
    description: str
    design: str = SPLIT
    role: str = DEFAULT
    held_out: str = ""

    def identity(self) -> dict[str, str]:
        """What a study records of its part (in its protocol)."""
        return {"design": self.design, "role": self.role, "held_out": self.held_out}


def test_split(dataset: Dataset, test_size: float, stratify: bool) -> list[Part]:
    """The default design: one test split of ``test_size`` of the rows, stratified by class
    (or, as the seed article's, not)."""
    # A continuous target has no classes to stratify by.
    by_class = stratify and dataset.task.classes
    train, test = split_rows(dataset.y, test_size, SPLIT_SEED, by_class)
    description = f"the {len(test)} test rows" if len(test) else "no test rows (--test-size 0)"
    return [Part("", train, test, description)]


def nested_parts(dataset: Dataset, settings: Settings, base: Part) -> list[Part]:
    """Nested cross-validation over ``base``'s training rows: ``--nested`` stratified outer
    folds, shuffled afresh for each of ``--nested-repeats`` repeats; part ``outer-r-k`` trains on
    the other folds and tests on fold k of repeat r."""
    assert settings.nested is not None
    y = dataset.y[base.train]
    parts = []
    for repeat in range(1, settings.nested_repeats + 1):
        plan = dataset.task.fold_plan(y, settings.nested, settings.seed + 7919 * repeat)
        for fold, (train, test) in enumerate(plan, start=1):
            parts.append(
                Part(
                    f"outer-{repeat}-{fold}",
                    base.train[train],
                    base.train[test],
                    f"outer fold {fold} of repeat {repeat} ({len(test)} rows)",
                    design=NESTED,
                    role=OUTER,
                )
            )
    return parts


def site_parts(dataset: Dataset, sites: tuple[str, ...]) -> list[Part]:
    """Leave each site out in turn (``site-<held out>``: search on the others, test on it), and
    the classic design (``from-cleveland``: search on Cleveland, test on every other site)."""
    assert dataset.groups is not None
    rows = np.arange(dataset.n_rows)
    parts = [
        Part(
            f"site-{site}",
            rows[dataset.groups != site],
            rows[dataset.groups == site],
            f"the {int((dataset.groups == site).sum())} rows of {site}, held out",
            design=SITES,
            role=HELD_OUT,
            held_out=site,
        )
        for site in sites
    ]
    if "cleveland" in sites:
        others = rows[dataset.groups != "cleveland"]
        parts.append(
            Part(
                "from-cleveland",
                rows[dataset.groups == "cleveland"],
                others,
                f"the {len(others)} rows of the other sites",
                design=SITES,
                role=FROM_CLEVELAND,
            )
        )
    return parts


def bootstrap_samples(y: np.ndarray, replicates: int, seed: int, by_class: bool) -> np.ndarray:
    """The rows of each bootstrap sample, shape (replicates, len(y)): drawn with replacement
    from every row, or with ``by_class`` from each class's rows separately (its own seeded
    stream per class), the sample holding each class as often as the rows do."""
    from objectives.stats import bootstrap_indices

    if not by_class:
        return bootstrap_indices(len(y), replicates, seed)
    samples = []
    for index, value in enumerate(np.unique(y)):
        own = np.flatnonzero(y == value)
        stream = int(np.random.SeedSequence([seed, index]).generate_state(1)[0])
        samples.append(own[bootstrap_indices(len(own), replicates, stream)])
    return np.concatenate(samples, axis=1)


def bootstrap_parts(dataset: Dataset, settings: Settings) -> list[Part]:
    """The bootstrap design (``--bootstrap B``, Harrell's ``validate``): the search on every row
    (its refit scored on the same rows: the apparent performance), then on each of B samples
    of the rows drawn with replacement, seeded by ``--seed`` (part ``boot-b``: trained on the
    sample, scored on every row). A sample keeps its repeated rows: the inner folds split the
    sample as drawn, as ``rms::validate`` and ``pminternal`` do. For classes each sample is
    drawn within each class (a stratified bootstrap: every sample keeps the rows' class counts,
    so a rare class is never missing from a sample's folds)."""
    assert settings.bootstrap is not None
    rows = np.arange(dataset.n_rows)
    samples = bootstrap_samples(
        dataset.y, settings.bootstrap, settings.seed, by_class=dataset.task.classes
    )
    parts = [Part("", rows, rows, f"all {len(rows)} rows (apparent: the rows it was fitted on)",
                  design=BOOTSTRAP)]  # fmt: skip
    width = len(str(settings.bootstrap))
    for index, sample in enumerate(samples, start=1):
        parts.append(
            Part(
                f"boot-{index:0{width}d}",
                np.sort(sample),
                rows,
                f"bootstrap sample {index} of {settings.bootstrap}, scored on every row",
                design=BOOTSTRAP,
                role=REPLICATE,
            )
        )
    return parts


def parts_of(dataset: Dataset, settings: Settings) -> list[Part]:
    """Every part of the run: the sites' parts with --sites; the bootstrap's with --bootstrap;
    else the test split, then the nested parts if asked for."""
    if settings.sites:
        return site_parts(dataset, settings.sites)
    if settings.bootstrap:
        return bootstrap_parts(dataset, settings)
    parts = test_split(dataset, settings.test_size, settings.stratify)
    if settings.nested:
        parts += nested_parts(dataset, settings, parts[0])
    return parts


def rows_fingerprint(part: Part) -> str:
    """A short hash of which rows a part trains and tests on."""
    digest = hashlib.sha256(np.asarray(part.train, dtype=np.int64).tobytes())
    digest.update(b"|")
    digest.update(np.asarray(part.test, dtype=np.int64).tobytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class PreparedPart:
    """A part with its fold plan and its rows preprocessed: the inner folds for the search
    (each fitted on its own training rows) and the outer fold for the refit (fitted on the part's
    training rows, applied to its test rows)."""

    part: Part
    plan: FoldPlan
    folds: list[PreparedFold]
    outer: PreparedFold
    fingerprint: str


def columns_of(dataset: Dataset) -> Columns:
    return Columns(
        numeric=dataset.numeric, categorical=dataset.categorical, indicators=dataset.indicators
    )


def prepare_part(dataset: Dataset, part: Part, settings: Settings) -> PreparedPart:
    """Make the part's fold plan and preprocess its folds once, for every study of the part.

    Raises:
        DataError: a class has fewer training rows than ``--folds``.
    """
    y_train = dataset.y[part.train]
    where = f"the {len(y_train)} training rows" + (f" of {part.name}" if part.name else "")
    if dataset.task.classes:
        check_folds(y_train, settings.folds, what=where, labels=dataset.class_labels)
        if len(np.unique(y_train)) < 2:
            raise DataError(f"{where} hold one class only; a classifier needs two or more")
    elif len(y_train) < 2 * settings.folds:
        raise DataError(
            f"--folds {settings.folds} needs at least {2 * settings.folds} rows in {where}; "
            f"use --folds {max(2, len(y_train) // 2)} or fewer"
        )
    plan = dataset.task.fold_plan(y_train, settings.folds, settings.seed)
    columns = columns_of(dataset)
    return PreparedPart(
        part=part,
        plan=plan,
        folds=prepare_folds(dataset.X, dataset.y, part.train, plan, columns),
        outer=prepare_fold(dataset.X, dataset.y, part.train, part.test, columns),
        fingerprint=plan_fingerprint(plan),
    )

"""The names of the data sets the tool ships and of the heart data's columns, without reading
anything: a command's --help and its refusals read them here, before pandas is imported."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from objectives.task import TASKS

FEATURES: tuple[str, ...] = (
    "age",
    "sex",
    "cp",
    "trestbps",
    "chol",
    "fbs",
    "restecg",
    "thalach",
    "exang",
    "oldpeak",
    "slope",
    "ca",
    "thal",
)
TARGET = "target"
#: The coded categories, and the UCI documentation's name of each code (Janosi et al. 1988,
#: ``heart-disease.names``, attributes 3, 7, 11 and 13).
CATEGORIES: dict[str, dict[str, str]] = {
    "cp": {
        "1": "typical angina",
        "2": "atypical angina",
        "3": "non-anginal pain",
        "4": "asymptomatic",
    },
    "restecg": {
        "0": "normal",
        "1": "ST-T wave abnormality",
        "2": "left ventricular hypertrophy",
    },
    "slope": {"1": "upsloping", "2": "flat", "3": "downsloping"},
    "thal": {"3": "normal", "6": "fixed defect", "7": "reversible defect"},
}
UCI_TARGET = "num"
#: In the UCI files a 0 in these columns means the value was not measured.
ZERO_MEANS_MISSING = ("chol", "trestbps")
UCI_FOLDER = Path(__file__).resolve().parent / "uci"


@dataclass(frozen=True)
class Site:
    """One hospital of the UCI Heart Disease data and its shipped file."""

    name: str
    hospital: str
    file: str
    sha256: str

    @property
    def path(self) -> Path:
        return UCI_FOLDER / self.file


SITES = {
    site.name: site
    for site in (
        Site(
            "cleveland",
            "Cleveland Clinic Foundation",
            "processed.cleveland.data",
            "13f2c7cc1ebfc284ead179a49d04ef4935ede24cff35452bf19a8eb643c7a8af",
        ),
        Site(
            "hungarian",
            "Hungarian Institute of Cardiology, Budapest",
            "processed.hungarian.data",
            "31134d83efc3266e486acece5e259585d7a52f16afa5567f195e70a993327afe",
        ),
        Site(
            "switzerland",
            "University Hospitals Zurich and Basel",
            "processed.switzerland.data",
            "422aa0182e5b95ff4ef2d95512caf3335e114fc1816db477a5a30286b267c2d7",
        ),
        Site(
            "va",
            "V.A. Medical Center, Long Beach",
            "processed.va.data",
            "1a12cdc1aa204bc5506aa22f04b6c45224b23f36adbd1c62039f65f370e334ea",
        ),
    )
}


#: Each built-in name and what it is.
BUILTINS: dict[str, str] = {
    **{f"heart-{site.name}": f"UCI heart disease, {site.hospital}" for site in SITES.values()},
    "breast-cancer": "Wisconsin diagnostic breast cancer (scikit-learn), malignant = positive",
    "wine": "wine cultivars from chemical analysis (scikit-learn), 3 classes",
    "diabetes": "diabetes progression after one year (scikit-learn), a continuous target",
}

#: The tasks a table's target may be read as (``--task``).
TASK_NAMES = tuple(TASKS)

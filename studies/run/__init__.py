"""One run: the data set's outer design, for each part a fold plan, a search engine running each
model family's study, the winners refit and scored on the part's test rows.

- :mod:`studies.run.design`: outer designs (the test split, nested cross-validation, the
  hospitals): how the rows split into parts, and each part's prepared folds;
- :mod:`studies.run.loop`: the run itself (jobs and their protocols, the engine per study);
- :mod:`studies.run.engines`: the search engines behind one small interface (Optuna, Keras Tuner);
- :mod:`studies.run.refit`: the winner refit on a part's training rows and scored on its test rows;
- :mod:`studies.run.closing`: the closing table;
- :mod:`studies.run.seed`: the article's own grids beside the searches.
"""

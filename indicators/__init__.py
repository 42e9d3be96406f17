"""The domain core of mne: the model of strategies, indicators and values, and their arithmetic.

Imports none of `mne`, `importers` or `reports`, and no web framework.
"""

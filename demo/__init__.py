"""Demo data for development and demos: `python manage.py seed_demo [--scale N]`.

The catalogue and the other words the demo data is written with are data files in `data/`, read
by `dataset.py`; the modules beside it generate cities, suburbs, providers, listings, photos,
working hours and the demo accounts from them, and `seed.py` runs them in order. This app may
import any other; nothing imports it.
"""

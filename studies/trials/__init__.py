"""A trial's life among many workers: the storage and how it is opened, the storage-wide gate that
hands out trial slots, heartbeats, interrupts, telling trials their end, the batch pruner, the
study's protocol, worker processes, progress, and counting finished trials.

Named ``trials`` so that it is never mistaken for the top-level ``storage/`` folder of databases.
"""

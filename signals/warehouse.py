"""Warehouse: DuckDB tables plus Parquet files, written atomically per run date.

A run's tables are written in one DuckDB transaction (delete that date, insert the new
rows), so re-running a date replaces it and a crash leaves the previous good state. Parquet
copies go to `parquet/run_date=D/<table>.parquet`: built in a temporary folder first and renamed
into place only once the DuckDB transaction has committed, so a failed write changes neither store.
"""
from __future__ import annotations

import shutil
import time
import uuid
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from signals import schemas
from signals.schemas import Schema

TABLES: dict[str, Schema] = {s.name: s for s in schemas.ALL}
# How long a nightly write waits for another process (an analyst's open session) to let go of the DuckDB file.
LOCK_WAIT_S = 120.0


class WarehouseError(RuntimeError):
    pass


def _select_cast(schema: Schema, source: str) -> str:
    # Explicit casts: pandas object columns (e.g. all-empty keyword lists) would otherwise be guessed.
    cols = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in schema.columns)
    return f"SELECT {cols} FROM {source}"


class Warehouse:
    def __init__(self, root: str | Path, duckdb_file: str = "signals.duckdb"):
        self.root = Path(root)
        self.db_path = self.root / duckdb_file
        self.parquet_root = self.root / "parquet"

    def check_writable(self) -> None:
        """Fail early and plainly when the warehouse folder cannot hold the outputs."""
        if self.root.exists() and not self.root.is_dir():
            raise WarehouseError(f"warehouse folder {self.root} is a file, not a folder")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"cannot create warehouse folder {self.root}: {exc}") from exc

    def connect(self, read_only: bool = False, wait_s: float = 0.0) -> duckdb.DuckDBPyConnection:
        """Open the DuckDB file. DuckDB lets one process write it, and not while another holds it open at
        all (even read-only): `wait_s` retries that long for an analyst's session to close before failing."""
        self.check_writable()
        deadline = time.monotonic() + wait_s
        while True:
            try:
                con = duckdb.connect(str(self.db_path), read_only=read_only)
                break
            except duckdb.Error as exc:
                locked = "lock" in str(exc).lower()
                if locked and time.monotonic() < deadline:
                    time.sleep(1.0)
                    continue
                hint = (f" (another process holds it open; waited {wait_s:.0f} s — close that session, or query the "
                        "Parquet copies, which are never locked)") if locked else ""
                raise WarehouseError(f"cannot open warehouse {self.db_path}: {exc}{hint}") from exc
        if not read_only:
            for schema in TABLES.values():
                con.execute(schema.ddl())
                # A warehouse written by an older version lacks newer columns: add them (NULL for old rows).
                have = {r[0] for r in con.execute(f'DESCRIBE "{schema.name}"').fetchall()}
                for col, typ in schema.columns:
                    if col not in have:
                        con.execute(f'ALTER TABLE "{schema.name}" ADD COLUMN "{col}" {typ}')
        return con

    def write_run(self, run_date: date, tables: dict[str, pd.DataFrame]) -> None:
        """Replace everything stored for `run_date` with `tables` (every table in schemas.ALL)."""
        missing = set(TABLES) - set(tables)
        if missing:
            raise WarehouseError(f"write_run needs all tables; missing {sorted(missing)}")
        frames = {name: TABLES[name].conform(df.assign(run_date=run_date)) for name, df in tables.items()}
        staged = self._stage_parquet(run_date, frames)
        try:
            self._write_duckdb(run_date, frames)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        self._publish_parquet(run_date, staged)

    def _write_duckdb(self, run_date: date, frames: dict[str, pd.DataFrame]) -> None:
        con = self.connect(wait_s=LOCK_WAIT_S)
        try:
            con.execute("BEGIN TRANSACTION")
            for name, df in frames.items():
                con.register("incoming", df)
                con.execute(f'DELETE FROM "{name}" WHERE run_date = ?', [run_date])
                cols = ", ".join(f'"{c}"' for c in TABLES[name].names)
                con.execute(f'INSERT INTO "{name}" ({cols}) {_select_cast(TABLES[name], "incoming")}')
                con.unregister("incoming")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    def _stage_parquet(self, run_date: date, frames: dict[str, pd.DataFrame]) -> Path:
        """Every table's Parquet file in a temporary folder that readers never look at."""
        tmp = self.parquet_root / f".tmp-{run_date.isoformat()}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir(parents=True)
        con = duckdb.connect()
        try:
            for name, df in frames.items():
                con.register("incoming", df)
                out = str(tmp / f"{name}.parquet").replace("'", "''")
                con.execute(f"COPY ({_select_cast(TABLES[name], 'incoming')}) TO '{out}' (FORMAT parquet)")
                con.unregister("incoming")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            con.close()
        return tmp

    def _publish_parquet(self, run_date: date, staged: Path) -> None:
        final = self.parquet_root / f"run_date={run_date.isoformat()}"
        trash = self.parquet_root / f".old-{run_date.isoformat()}-{uuid.uuid4().hex[:8]}"
        if final.exists():
            final.rename(trash)
        staged.rename(final)
        shutil.rmtree(trash, ignore_errors=True)
        # Leftovers of crashed runs (temporary or replaced folders) are never read; tidy them.
        for stale in self.parquet_root.glob(".*-*"):
            shutil.rmtree(stale, ignore_errors=True)

    def latest_before(self, table: str, run_date: date) -> pd.DataFrame:
        """Rows of `table` from the most recent run before `run_date` (empty if none): the state a
        run builds on, so re-running a date never sees its own earlier output."""
        if not self.db_path.exists():
            return TABLES[table].empty()
        con = self.connect(wait_s=LOCK_WAIT_S)  # creates tables a warehouse from an older version may lack
        try:
            return con.execute(f'SELECT * FROM "{table}" WHERE run_date = (SELECT max(run_date) FROM "{table}" '
                               'WHERE run_date < ?)', [run_date]).df()
        finally:
            con.close()

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        con = self.connect(read_only=self.db_path.exists(), wait_s=LOCK_WAIT_S)
        try:
            return con.execute(sql, params or []).df()
        finally:
            con.close()

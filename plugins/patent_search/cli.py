"""``ipgov patents``: ingest files into a collection, search, and show landscapes."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import func, select

from ipgov.api import (
    PlatformContext,
    cli_command,
    cli_progress,
    record_audit,
    run_job_inline,
    tenant_by_ref,
)

from .models import COLLECTION_KINDS, Collection, PatentDocument
from .search.model import MODES

__all__ = ["patents"]


@click.group("patents")
def patents() -> None:
    """Patent collections: ingest documents, search, landscapes."""


#: exit codes of ``ipgov patents ingest`` (docs/patent_search.md "Command line")
EXIT_PARTIAL = 3  # some documents loaded (or would load), some refused
EXIT_NOTHING = 4  # nothing loaded: every input was refused or skipped


@patents.command("ingest")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--tenant", "tenant_ref", help="Slug or id of the tenant that owns the collection.")
@click.option("--collection", "collection_name", help="Collection name (created if missing).")
@click.option("--kind", type=click.Choice(COLLECTION_KINDS), default="research",
              show_default=True, help="Kind of a new collection.")
@click.option("--shared", is_flag=True, help="Share a new collection with the group below.")
@click.option("--dry-run", is_flag=True,
              help="Only parse and count; store nothing (needs no database).")
def ingest_command(source: Path, tenant_ref: str | None, collection_name: str | None,
                   kind: str, shared: bool, dry_run: bool) -> None:
    """Ingest SOURCE (a file, zip or folder of patent documents) and print counts per format.

    Exit status: 0 every document loaded, 3 some documents refused (the rest loaded), 4
    nothing loaded (every input refused or skipped; a new collection is then not kept).
    """
    if dry_run:
        loaded, refused = _dry_run(source)
    else:
        if not tenant_ref or not collection_name:
            raise click.UsageError("--tenant and --collection are required (or use --dry-run)")
        try:
            loaded, refused = _ingest(source=source, tenant_ref=tenant_ref,
                                      collection_name=collection_name, kind=kind, shared=shared)
        except click.ClickException:
            raise
        except Exception as exc:  # noqa: BLE001 - a failure named in one line, not a traceback
            raise click.ClickException(
                f"ingestion failed ({type(exc).__name__}: {exc}); documents already stored "
                "stay, and running the command again resumes (they count as unchanged)"
            ) from None
    if loaded == 0:
        click.echo("nothing " + ("would be " if dry_run else "") + "loaded: every input was "
                   "refused or skipped (see above)", err=True)
        raise SystemExit(EXIT_NOTHING)
    if refused:
        raise SystemExit(EXIT_PARTIAL)


def _dry_run(source: Path) -> tuple[int, int]:
    """Parse everything without a database; print errors, warnings and skipped files."""
    from ipgov.api import PluginSettingError, process_plugin_settings

    from .ingest import IngestError, iter_path
    from .ingest.limits import Limits, configure
    from .ingest.pipeline import Skipped
    from .settings import PLUGIN, SETTINGS

    try:
        configure(Limits.from_settings(process_plugin_settings(PLUGIN, SETTINGS)))
    except PluginSettingError as exc:
        raise click.ClickException(f"start-up: {exc}") from None
    counts: dict[str, int] = {}
    errors = warnings = 0

    def skip(item: Skipped) -> None:
        click.echo(f"skipped: {item.file}: {item.reason}", err=True)
        skipped.append(item)

    skipped: list[Skipped] = []
    for item in iter_path(source, skipped=skip):
        if isinstance(item, IngestError):
            warnings += item.warning
            errors += not item.warning
            click.echo(f"{'warning' if item.warning else 'error'}: {item}", err=True)
        else:
            counts[item.source_format] = counts.get(item.source_format, 0) + 1
            if sum(counts.values()) % 5000 == 0:
                cli_progress(f"parsed {sum(counts.values())} documents")
    _print_counts(counts, errors, warnings, len(skipped))
    return sum(counts.values()), errors


@cli_command
async def _ingest(platform: PlatformContext, source: Path, tenant_ref: str,
                  collection_name: str, kind: str, shared: bool) -> tuple[int, int]:
    tenant = tenant_by_ref(platform, tenant_ref)
    async with platform.tenant_session(tenant.id) as session:
        collection = (await session.execute(select(Collection).where(
            Collection.name == collection_name))).scalar_one_or_none()
        created = collection is None
        if collection is None:
            collection = Collection(name=collection_name, kind=kind, shared_with_group=shared,
                                    created_by="cli", source=source.name)
            session.add(collection)
            await session.flush()
        collection_id = collection.id

    def show(done: int, total: int | None, message: str) -> None:
        cli_progress(f"[{done}{'/' + str(total) if total else ''}] {message}")

    resolved = str(source.resolve())
    job = await run_job_inline(platform, tenant_id=tenant.id, kind="patent_search.ingest",
                               params={"collection_id": collection_id, "source": resolved,
                                       "roots": [resolved]},
                               actor="cli", on_progress=show)
    for err in job.errors:
        warning = err["message"].startswith("warning: ")
        click.echo(f"{'warning' if warning else 'error'}: {err['file']}: {err['document']}: "
                   f"{err['field']}: {err['message'].removeprefix('warning: ')}", err=True)
    if job.error_count > len(job.errors):
        click.echo(f"... and {job.error_count - len(job.errors)} more (the job keeps the first "
                   f"{len(job.errors)})", err=True)
    result = job.result or {}
    for skipped in result.get("skipped_files", []):
        click.echo(f"skipped: {skipped['file']}: {skipped['reason']}", err=True)
    for stopped in result.get("stopped_files", []):
        click.echo(f"stopped: {stopped}: reading stopped at the error above; the documents "
                   "after it are not loaded (fix the file and run again)", err=True)
    loaded = result.get("inserted", 0) + result.get("updated", 0) + result.get("unchanged", 0)
    dropped = False
    async with platform.tenant_session(tenant.id) as session:
        kept = await session.get(Collection, collection_id)
        stored = (await session.execute(select(func.count()).select_from(PatentDocument).where(
            PatentDocument.collection_id == collection_id))).scalar_one()
        if created and kept is not None and stored == 0:
            await session.delete(kept)  # nothing loaded: the new collection is not kept
            dropped = True
        elif created:
            await record_audit(platform, session, tenant_id=tenant.id, actor="cli",
                               action="patent_search.collection.created",
                               object_type="patent_search:collection",
                               object_id=collection_id, details={"name": collection_name})
    if job.status != "succeeded":
        raise click.ClickException(f"ingestion {job.status}: {job.failure} (documents already "
                                   "stored stay; running the command again resumes: stored "
                                   "documents are skipped as unchanged)")
    errors = sum(result.get("errors", {}).values())
    _print_counts(result.get("per_format", {}), errors, result.get("warnings", 0),
                  result.get("skipped_count", 0))
    click.echo(f"inserted {result.get('inserted', 0)}, updated {result.get('updated', 0)}, "
               f"unchanged {result.get('unchanged', 0)}; "
               f"{result.get('documents_in_collection', 0)} documents in {collection_name!r}"
               + (" (the new collection is not kept)" if dropped else ""))
    return loaded, errors


def _print_counts(counts: dict[str, int], errors: int, warnings: int = 0,
                  skipped: int = 0) -> None:
    width = max([len(k) for k in counts] + [8])
    for name, count in sorted(counts.items()):
        click.echo(f"{name.ljust(width)}  {count:>8}")
    click.echo(f"{'total'.ljust(width)}  {sum(counts.values()):>8}")
    click.echo(f"{'errors'.ljust(width)}  {errors:>8}")
    click.echo(f"{'warnings'.ljust(width)}  {warnings:>8}")
    click.echo(f"{'skipped'.ljust(width)}  {skipped:>8}  files (not patent documents)")


@patents.command("search")
@click.argument("query")
@click.option("--tenant", "tenant_ref", required=True)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--mode", type=click.Choice(MODES), default="bm25", show_default=True,
              help="Ranking: BM25, the offline semantic model, or both fused.")
@click.option("--facets", is_flag=True, help="Also print CPC, office, year and assignee counts.")
@cli_command
async def search_command(platform: PlatformContext, query: str, tenant_ref: str, limit: int,
                         mode: str, facets: bool) -> None:
    """Search the collections TENANT may read and print the top hits."""
    from .access import visible_collection_ids
    from .ranking import search_page
    from .search import SearchRequest

    tenant = tenant_by_ref(platform, tenant_ref)
    ids = await visible_collection_ids(platform, tenant.id)
    request = SearchRequest(query=query, collection_ids=ids, limit=limit, highlight=False,
                            facets=facets)
    try:
        page = await search_page(platform, tenant.id, request, mode)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    at_least = "at least " if page.total_relation == "gte" else ""
    click.echo(f"{at_least}{page.total} documents (ranked by {page.ranked_by})")
    for notice in page.notices:
        click.echo(f"note [{notice.code}]: {notice.message}")
    for hit in page.hits:
        click.echo(f"{hit.score:7.2f}  {hit.publication_number:<22} {hit.title[:90]}")
    for name, buckets in sorted(page.facets.items()):
        missing = page.facet_missing.get(name, 0)
        click.echo(f"-- {name}" + (f" ({missing} without a value)" if missing else ""))
        for b in buckets[:10]:
            title = b.title if b.title != b.symbol else ""
            click.echo(f"{b.count:7d}  {b.symbol:<14} {title[:80]}".rstrip())

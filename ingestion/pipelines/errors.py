"""Turning a failed pipeline run into one message a user can act on.

dlt wraps the root cause in several layers (step failed -> resource extraction error -> HTTP error
after the last retry). The message names the step, the object (resource/table) and the request
(method and URL, query parameters with secret-looking names masked by dlt's ``sanitize_url``), and
says what happens next: committed state is kept, so the next run resumes from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.schema.exceptions import DataValidationError
from dlt.extract.exceptions import ResourceExtractionError
from dlt.normalize.exceptions import NormalizeJobFailed
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.sources.helpers.rest_client.redaction import sanitize_url
from requests import HTTPError, RequestException

from ingestion.salesforce.helpers import daily_limit_exceeded, daily_limit_figures


class IngestionError(RuntimeError):
    """A pipeline run failed; the message is meant for the person running it."""

    def __init__(self, pipeline_name: str, message: str) -> None:
        super().__init__(f"{pipeline_name}: {message}")
        self.pipeline_name = pipeline_name
        self.messages = [str(self)]

    @classmethod
    def combined(cls, failures: list[IngestionError]) -> IngestionError:
        """One error for several failed pipelines; ``messages`` keeps one line per pipeline."""
        if len(failures) == 1:
            return failures[0]
        error = cls.__new__(cls)
        RuntimeError.__init__(error, "\n".join(str(f) for f in failures))
        error.pipeline_name = ", ".join(f.pipeline_name for f in failures)
        error.messages = [str(f) for f in failures]
        return error


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        nested = getattr(current, "exception", None)
        current = nested if isinstance(nested, BaseException) else (current.__cause__ or current.__context__)


@dataclass(frozen=True)
class ContractRefusal:
    table: str
    column: str | None
    entity: str
    mode: str


# DataValidationError's own wording (dlt.common.schema.exceptions), as it reaches the parent process
# inside a normalize worker's NormalizeJobFailed: across the process boundary only the text survives.
_REFUSAL = re.compile(
    r"In Table: `(?P<table>[^`]*)` (?:Column: `(?P<column>[^`]*)`)? ?\. Contract on `(?P<entity>[^`]*)`"
    r" with `contract_mode=(?P<mode>[^`]*)` is violated"
)


def contract_refusal(exc: BaseException) -> ContractRefusal | None:
    """The schema contract refusal behind a failed run, however it arrived: raised in this process,
    or reported by a normalize worker process (dlt normalizes in processes when workers > 1)."""
    for error in _chain(exc):
        if isinstance(error, DataValidationError):
            return ContractRefusal(error.table_name, error.column_name, error.schema_entity, error.contract_mode)
        if isinstance(error, NormalizeJobFailed):
            found = _REFUSAL.search(error.failed_message or "")
            if found:
                return ContractRefusal(found["table"], found["column"], found["entity"], found["mode"])
    return None


def refused_by_contract(exc: BaseException) -> bool:
    return contract_refusal(exc) is not None


def explain(pipeline_name: str, exc: BaseException) -> IngestionError:
    """One user-facing error for a failed run (never containing request headers or bodies)."""
    chain = list(_chain(exc))
    step = next((e.step for e in chain if isinstance(e, PipelineStepFailed)), None)
    resource = next((e.pipe_name for e in chain if isinstance(e, ResourceExtractionError)), None)
    where = f" while {_gerund(step)}" if step else ""
    where += f" object `{resource}`" if resource else ""

    missing = next((e for e in chain if isinstance(e, ConfigFieldMissingException)), None)
    if missing is not None:
        names = ", ".join(_env_name(missing, field) for field in missing.fields)
        return IngestionError(
            pipeline_name,
            f"configuration missing{where}: {names} for {missing.spec_name}."
            " Set them in .dlt/secrets.toml / .dlt/config.toml or as environment variables"
            " (see .dlt/example.secrets.toml).",
        )

    contract = contract_refusal(exc)
    if contract is not None:
        return IngestionError(
            pipeline_name,
            f"schema contract refused data{where}: table `{contract.table}`"
            + (f", column `{contract.column}`" if contract.column else "")
            + f" ({contract.entity} is `{contract.mode}`): the source sent a value whose"
            " type contradicts the column's. Nothing of this run was loaded and its extracted data was"
            " discarded; fix the source (or the table's schema contract) and run again, it resumes"
            " from the last committed state. See ingestion/README.md, 'Schema drift'.",
        )

    http = next((e for e in chain if isinstance(e, HTTPError) and e.response is not None), None)
    if http is not None:
        response = http.response
        request = response.request
        method = request.method if request is not None else "GET"
        url = _shortened(sanitize_url(response.url or (request.url if request is not None else "")))
        if daily_limit_exceeded(response):
            return IngestionError(
                pipeline_name,
                f"Salesforce's daily API request limit is used up{where} (DailyApiRequests:"
                f" {daily_limit_figures(response)}): {method} {url} answered {response.status_code}"
                f"{_api_message(response)}. Not retried: the limit counts the requests of a rolling 24"
                " hours, so it frees up as the last day's requests age out; run again later, or ask"
                f" Salesforce for a higher allocation. {_RESUME}",
            )
        return IngestionError(
            pipeline_name,
            f"request failed{where}: {method} {url} answered {response.status_code} {response.reason}"
            f"{_retry_note(response.status_code)}{_api_message(response)}. {_RESUME}",
        )

    network = next((e for e in chain if isinstance(e, RequestException)), None)
    if network is not None:
        request = getattr(network, "request", None)
        target = f" {request.method} {sanitize_url(request.url)}" if request is not None and request.url else ""
        return IngestionError(
            pipeline_name,
            f"could not reach the API{where}:{target} ({type(network).__name__}), after retrying. {_RESUME}",
        )

    root = chain[-1]
    return IngestionError(pipeline_name, f"failed{where}: {type(root).__name__}: {root}. {_RESUME}")


def _shortened(url: str, keep: int = 400) -> str:
    # a 414's URL is the problem itself: tens of kilobytes of field names make no readable line
    return url if len(url) <= keep else f"{url[:keep]}... ({len(url):,} characters)"


def _env_name(missing: ConfigFieldMissingException, field: str) -> str:
    """``field (ENV_VAR)``: the plainest environment variable dlt looked for (no values)."""
    keys = [
        getattr(trace, "key", "")
        for trace in missing.traces.get(field, [])
        if getattr(trace, "provider", "") == "Environment Variables"
    ]
    # SOURCES__<SOURCE>__<FIELD>: the spelling in example.secrets.toml and the README
    keys = [key for key in keys if key.startswith(("SOURCES__", "DESTINATION__")) and key.count("__") == 2]
    return f"{field} ({keys[0]})" if keys else field


_RESUME = "Data committed by earlier runs is kept; the next run resumes from the last committed state"


def _gerund(step: str) -> str:
    return {"extract": "extracting", "normalize": "normalizing", "load": "loading", "sync": "syncing state"}.get(
        step, step
    )


def _retry_note(status: int) -> str:
    if status == 429 or status >= 500:
        return " on every attempt (retries with backoff exhausted; see [runtime] request_max_attempts)"
    return ""


def _api_message(response) -> str:
    """The API's own error text (Salesforce: ``[{"message", "errorCode"}]``; HubSpot: ``{"message"}``)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if not isinstance(body, dict):
        return ""
    code = body.get("errorCode") or body.get("category") or ""
    message = str(body.get("message") or "")[:300]
    return f" ({code}: {message})" if code or message else ""

"""Writes of the diagnostics app. Each service is one transaction with its audit entry.

Other apps import from here, e.g. `from diagnostics.services import initiative_kpi_record`.
"""

from diagnostics.services.dimensions import dimension_create, dimension_delete, dimension_update
from diagnostics.services.maps import (
    journey_map_create,
    journey_map_delete,
    journey_map_update,
    persona_create,
    persona_delete,
    persona_update,
    stage_create,
    stage_delete,
    stage_move,
    stage_reorder,
    stage_update,
    touchpoint_create,
    touchpoint_delete,
    touchpoint_move,
    touchpoint_update,
)
from diagnostics.services.plan import (
    GapLinkInput,
    allowed_next_statuses,
    initiative_comment_add,
    initiative_create,
    initiative_delete,
    initiative_kpi_record,
    initiative_kpi_update,
    initiative_status_change,
    initiative_update,
)
from diagnostics.services.scoring import (
    ScoreCellInput,
    ScoreGridResult,
    assessment_create,
    assessment_delete,
    assessment_update,
    score_grid_save,
)
from diagnostics.services.transfer import DocumentInvalidError, journey_map_import

__all__ = [
    "DocumentInvalidError",
    "GapLinkInput",
    "ScoreCellInput",
    "ScoreGridResult",
    "allowed_next_statuses",
    "assessment_create",
    "assessment_delete",
    "assessment_update",
    "dimension_create",
    "dimension_delete",
    "dimension_update",
    "initiative_comment_add",
    "initiative_create",
    "initiative_delete",
    "initiative_kpi_record",
    "initiative_kpi_update",
    "initiative_status_change",
    "initiative_update",
    "journey_map_create",
    "journey_map_delete",
    "journey_map_import",
    "journey_map_update",
    "persona_create",
    "persona_delete",
    "persona_update",
    "score_grid_save",
    "stage_create",
    "stage_delete",
    "stage_move",
    "stage_reorder",
    "stage_update",
    "touchpoint_create",
    "touchpoint_delete",
    "touchpoint_move",
    "touchpoint_update",
]

from django_tenants.utils import schema_context

from diagnostics.models import Dimension


def test_each_client_schema_has_servqual_dimensions(alpha, beta):
    for client in (alpha, beta):
        with schema_context(client.schema_name):
            assert sorted(Dimension.objects.values_list("key", flat=True)) == [
                "assurance",
                "empathy",
                "reliability",
                "responsiveness",
                "tangibles",
            ]

"""Amazon Web Services: EC2 through boto3."""

from domain.cloud.providers import register
from domain.cloud.providers.aws.ec2 import Ec2Provider
from domain.cloud.providers.contract import ProviderPlugin

register(
    ProviderPlugin(
        name="aws",
        hypervisor="AWS",
        credential_fields=("access_key_id", "secret_access_key"),
        build=Ec2Provider,
    )
)

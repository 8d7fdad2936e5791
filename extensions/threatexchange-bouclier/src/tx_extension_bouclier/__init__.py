"""A python-threatexchange extension: Bouclier banks as a ``SignalExchangeAPI``.

``threatexchange config extensions add tx_extension_bouclier`` loads :data:`TX_MANIFEST`: the API
``bouclier`` (:class:`~tx_extension_bouclier.api.BouclierSignalExchangeAPI`) and the two exact-hash
signal types of still images that threatexchange lacks (its MD5 and SHA-256 types are a video
file's), so that Bouclier's ``md5`` and ``sha256`` entries land under their own names.
"""

from threatexchange.extensions.manifest import ThreatExchangeExtensionManifest

from tx_extension_bouclier.api import BouclierSignalExchangeAPI
from tx_extension_bouclier.signals import PhotoMD5Signal, PhotoSHA256Signal

TX_MANIFEST = ThreatExchangeExtensionManifest(
    signal_types=(PhotoMD5Signal, PhotoSHA256Signal),
    apis=(BouclierSignalExchangeAPI,),
)

__all__ = ["TX_MANIFEST", "BouclierSignalExchangeAPI", "PhotoMD5Signal", "PhotoSHA256Signal"]

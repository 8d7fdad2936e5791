"""The words of the police summary PDF, in each language of the portal (en, es, fr).

The summary is written wholly in the case's language: headings, labels, sentences and the values
of the case (kinds, statuses, laws, actions), never a raw code. :func:`words` gives one language's
table; a test checks that every language has every key and every value of the vocabularies.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("en", "es", "fr")

_W: dict[str, tuple[str, str, str]] = {
    "title": ("Evidence summary", "Resumen de pruebas", "Résumé des preuves"),
    "case_line": ("Case {number}", "Caso {number}", "Dossier {number}"),
    "generated": (
        "Generated on {time} by Bouclier {version}",
        "Generado el {time} por Bouclier {version}",
        "Généré le {time} par Bouclier {version}",
    ),
    "times": (
        "All times are in the {zone} time zone.",
        "Todas las horas están en la zona horaria {zone}.",
        "Toutes les heures sont dans le fuseau horaire {zone}.",
    ),
    "footer": (
        "Bouclier evidence summary - page {page}/{{nb}}",
        "Resumen de pruebas de Bouclier - página {page}/{{nb}}",
        "Résumé des preuves Bouclier - page {page}/{{nb}}",
    ),
    "h.issuer": ("Issued by", "Emitido por", "Émis par"),
    "h.about": ("What Bouclier is", "Qué es Bouclier", "Qu'est-ce que Bouclier"),
    "h.case": ("The case", "El caso", "Le dossier"),
    "h.items": ("Items reported", "Elementos denunciados", "Éléments signalés"),
    "h.reuploads": ("Re-uploads blocked", "Resubidas bloqueadas", "Republications bloquées"),
    "h.video_matches": (
        "Uploads that matched a video of the case",
        "Subidas que coinciden con un vídeo del caso",
        "Envois correspondant à une vidéo du dossier",
    ),
    "h.notices": (
        "Notices to platforms",
        "Notificaciones a las plataformas",
        "Notifications aux plateformes",
    ),
    "h.answers": (
        "Platforms' answers",
        "Respuestas de las plataformas",
        "Réponses des plateformes",
    ),
    "h.verify": (
        "How to verify this bundle",
        "Cómo verificar este paquete",
        "Comment vérifier ce dossier",
    ),
    "issuer.name": ("Hotline", "Línea de ayuda", "Ligne d'aide"),
    "issuer.email": ("Email", "Correo", "Courriel"),
    "issuer.phone": ("Telephone", "Teléfono", "Téléphone"),
    "issuer.website": ("Website", "Sitio web", "Site web"),
    "issuer.address": ("Postal address", "Dirección postal", "Adresse postale"),
    "issuer.unset": (
        "not configured on this instance",
        "no configurado en esta instalación",
        "non renseigné sur cette instance",
    ),
    "about": (
        "Bouclier is an open-source system that helps people whose intimate images are shared "
        "without their consent to find and stop them. Images are identified by fingerprints: PDQ, "
        "a perceptual hash that survives resizing and re-encoding, and SHA-256, which identifies "
        "an exact file. The fingerprints are computed on the victim's own device; Bouclier keeps "
        "them, the addresses (URLs) where the images were seen and, only when the victim asks and "
        "never for a minor, encrypted copies. Platforms that use Bouclier block re-uploads of "
        "matching images. Every event of a case is recorded in a custody log in which each "
        "entry's hash covers the entry before it, so that no entry can be edited, removed or "
        "reordered unnoticed.",
        "Bouclier es un sistema de código abierto que ayuda a las personas cuyas imágenes íntimas "
        "se difunden sin su consentimiento a encontrarlas y frenarlas. Las imágenes se identifican "
        "por huellas: PDQ, una huella perceptual que resiste cambios de tamaño y de compresión, y "
        "SHA-256, que identifica un archivo exacto. Las huellas se calculan en el propio "
        "dispositivo de la víctima; Bouclier guarda las huellas, las direcciones (URL) donde se "
        "vieron las imágenes y, solo si la víctima lo pide y nunca para un menor, copias cifradas. "
        "Las plataformas que usan Bouclier bloquean las nuevas subidas de imágenes que coinciden. "
        "Cada hecho del caso se anota en un registro de custodia en el que la huella de cada "
        "entrada cubre la anterior, de modo que ninguna entrada puede modificarse, borrarse ni "
        "reordenarse sin que se note.",
        "Bouclier est un système libre qui aide les personnes dont les images intimes sont "
        "diffusées sans leur consentement à les retrouver et à les faire retirer. Les images sont "
        "identifiées par des empreintes : PDQ, une empreinte perceptuelle qui résiste au "
        "redimensionnement et à la recompression, et SHA-256, qui identifie un fichier exact. Les "
        "empreintes sont calculées sur l'appareil de la victime ; Bouclier conserve les "
        "empreintes, les adresses (URL) où les images ont été vues et, seulement à la demande de "
        "la victime et jamais pour un mineur, des copies chiffrées. Les plateformes qui utilisent "
        "Bouclier bloquent les nouvelles publications d'images correspondantes. Chaque événement "
        "du dossier est inscrit dans un journal de conservation où l'empreinte de chaque entrée "
        "couvre la précédente : aucune entrée ne peut être modifiée, supprimée ou déplacée sans "
        "que cela se voie.",
    ),
    "f.number": ("Case number", "Número de caso", "Numéro de dossier"),
    "f.opened": ("Opened", "Abierto", "Ouvert le"),
    "f.status": ("Status", "Estado", "État"),
    "f.flags": ("Flags", "Señales", "Signalements"),
    "f.language": ("Language of the victim", "Idioma de la víctima", "Langue de la victime"),
    "f.collective": ("Collective case", "Caso colectivo", "Dossier collectif"),
    "f.others": (
        "Other families' cases",
        "Casos de las otras familias",
        "Dossiers des autres familles",
    ),
    "f.counts": ("Counts", "Recuento", "Décompte"),
    "flag.minor": (
        "concerns a MINOR (no copies of images are kept)",
        "afecta a un MENOR (no se guardan copias de las imágenes)",
        "concerne un MINEUR (aucune copie des images n'est conservée)",
    ),
    "flag.sextortion": ("SEXTORTION reported", "SEXTORSIÓN denunciada", "SEXTORSION signalée"),
    "none": ("none", "ninguna", "aucun"),
    "collective.yes": (
        "yes, {count} cases filed together",
        "sí, {count} casos presentados juntos",
        "oui, {count} dossiers déposés ensemble",
    ),
    "collective.no": ("no", "no", "non"),
    "counts": (
        "{hashes} image fingerprints, {urls} links, {evidence} evidence files, {reuploads} "
        "re-uploads blocked, {notices} notices",
        "{hashes} huellas de imagen, {urls} enlaces, {evidence} archivos de prueba, {reuploads} "
        "resubidas bloqueadas, {notices} notificaciones",
        "{hashes} empreintes d'image, {urls} liens, {evidence} fichiers de preuve, {reuploads} "
        "republications bloquées, {notices} notifications",
    ),
    "c.item": ("Item", "Elemento", "Élément"),
    "c.shares": ("Found: upload / video", "Hallado: subida / vídeo", "Retrouvé : envoi / vidéo"),
    "c.frames": (
        "Frames: upload s -> video s (PDQ bits)",
        "Fotogramas: subida s -> vídeo s (bits PDQ)",
        "Images : envoi s -> vidéo s (bits PDQ)",
    ),
    "frames.more": ("+{count} more", "+{count} más", "+{count} de plus"),
    "c.kind": ("Kind", "Tipo", "Type"),
    "c.status": ("Status", "Estado", "État"),
    "c.added": ("Added", "Añadido", "Ajouté"),
    "c.what": ("Link or fingerprint", "Enlace o huella", "Lien ou empreinte"),
    "c.platform": ("Platform", "Plataforma", "Plateforme"),
    "c.action": ("Action", "Acción", "Action"),
    "c.when": ("When", "Cuándo", "Quand"),
    "c.reupload_link": (
        "Link of the re-upload",
        "Enlace de la resubida",
        "Lien de la republication",
    ),
    "c.reference": ("Reference", "Referencia", "Référence"),
    "c.law": ("Law", "Ley", "Loi"),
    "c.sent": ("Sent", "Enviada", "Envoyée"),
    "c.deadline": ("Deadline", "Plazo", "Échéance"),
    "c.link": ("Link", "Enlace", "Lien"),
    "c.answered": ("Answered", "Respondida", "Répondu"),
    "c.answer": ("Answer", "Respuesta", "Réponse"),
    "kind.hash": ("image fingerprint", "huella de imagen", "empreinte d'image"),
    "kind.url": ("link", "enlace", "lien"),
    "kind.evidence": ("evidence file", "archivo de prueba", "fichier de preuve"),
    "kind.video": ("video fingerprint", "huella de vídeo", "empreinte de vidéo"),
    "video.what": (
        "{frames} frames fingerprinted (vPDQ, 0:00 to {end}; each frame's hash and time in "
        "manifest.json); MD5 {md5}; SHA-256 {sha256}",
        "{frames} fotogramas con huella (vPDQ, de 0:00 a {end}; la huella y el momento de cada "
        "fotograma en manifest.json); MD5 {md5}; SHA-256 {sha256}",
        "{frames} images avec empreinte (vPDQ, de 0:00 à {end} ; l'empreinte et l'instant de "
        "chaque image dans manifest.json) ; MD5 {md5} ; SHA-256 {sha256}",
    ),
    "item.pending": ("awaiting review", "pendiente de revisión", "en attente d'examen"),
    "item.confirmed": (
        "confirmed by the hotline",
        "confirmado por la línea de ayuda",
        "confirmé par la ligne d'aide",
    ),
    "item.rejected": ("not retained", "no retenido", "non retenu"),
    "case.new": ("received", "recibido", "reçu"),
    "case.in_progress": ("in progress", "en curso", "en cours"),
    "case.closed": ("closed", "cerrado", "clos"),
    "case.merged": ("merged into another case", "unido a otro caso", "fusionné avec un autre"),
    "action.blocked": ("blocked", "bloqueada", "bloquée"),
    "action.not_blocked": ("seen, not blocked", "vista, no bloqueada", "vue, non bloquée"),
    "action.false_positive": (
        "another image (false match)",
        "otra imagen (falsa coincidencia)",
        "une autre image (fausse correspondance)",
    ),
    "law.dsa": ("EU DSA, art. 16", "DSA de la UE, art. 16", "DSA (UE), art. 16"),
    "law.take_it_down": (
        "US TAKE IT DOWN Act",
        "ley TAKE IT DOWN (EE. UU.)",
        "loi TAKE IT DOWN (É.-U.)",
    ),
    "law.pharos": ("Pharos (France)", "Pharos (Francia)", "Pharos"),
    "notice.draft": ("draft, not sent", "borrador, no enviada", "brouillon, non envoyée"),
    "notice.sent": ("sent", "enviada", "envoyée"),
    "notice.acknowledged": (
        "received by the platform",
        "recibida por la plataforma",
        "reçue par la plateforme",
    ),
    "notice.removed": ("image removed", "imagen retirada", "image retirée"),
    "notice.refused": (
        "refused by the platform",
        "rechazada por la plataforma",
        "refusée par la plateforme",
    ),
    "notice.expired": (
        "no answer before the deadline",
        "sin respuesta en plazo",
        "sans réponse dans le délai",
    ),
    "lang.en": ("English", "inglés", "anglais"),
    "lang.es": ("Spanish", "español", "espagnol"),
    "lang.fr": ("French", "francés", "français"),
    "rows.none": ("None.", "Ninguno.", "Aucun."),
    "rows.more": (
        "... and {count} more: see manifest.json.",
        "... y {count} más: véase manifest.json.",
        "... et {count} de plus : voir manifest.json.",
    ),
    "url.cut": (
        "... (cut here: the whole URL is in manifest.json)",
        "... (cortado aquí: la URL completa está en manifest.json)",
        "... (coupé ici : l'URL complète est dans manifest.json)",
    ),
    "verify": (
        "The custody log of this case had {length} entries before this export; the last of them "
        "has the SHA-256 {head}. Entry {next} records this export with the SHA-256 of this summary "
        "and of every file of the bundle; its hash, the head of the log, is in manifest.json "
        "(custody.head_sha256). To check the bundle, run `bouclier evidence verify <bundle.zip>`, "
        "or follow VERIFY.txt to check it by hand with sha256sum. Ask the organisation that "
        "issued it for the head hash it holds for this case: if they are the same, nothing in the "
        "bundle was altered.",
        "El registro de custodia de este caso tenía {length} entradas antes de esta exportación; "
        "la última tiene el SHA-256 {head}. La entrada {next} anota esta exportación con el "
        "SHA-256 de este resumen y de cada archivo del paquete; su huella, la cabeza del "
        "registro, está en manifest.json (custody.head_sha256). Para comprobar el paquete, ejecute "
        "`bouclier evidence verify <paquete.zip>`, o siga VERIFY.txt para comprobarlo a mano con "
        "sha256sum. Pida a la organización que lo emitió la huella de cabeza que conserva para "
        "este caso: si coinciden, nada del paquete se ha alterado.",
        "Le journal de conservation de ce dossier comptait {length} entrées avant cet export ; la "
        "dernière a le SHA-256 {head}. L'entrée {next} inscrit cet export avec le SHA-256 de ce "
        "résumé et de chaque fichier du dossier ; son empreinte, la tête du journal, figure dans "
        "manifest.json (custody.head_sha256). Pour vérifier le dossier, lancez `bouclier evidence "
        "verify <dossier.zip>`, ou suivez VERIFY.txt pour le vérifier à la main avec sha256sum. "
        "Demandez à l'organisation qui l'a émis l'empreinte de tête qu'elle conserve pour ce "
        "dossier : si elles sont identiques, rien dans le dossier n'a été modifié.",
    ),
}

#: How a time is written in each language, on one line.
TIME_FORMATS = {"en": "%Y-%m-%d %H:%M", "es": "%d/%m/%Y %H:%M", "fr": "%d/%m/%Y %H:%M"}


def words(language: str) -> Mapping[str, str]:
    """The summary's words in ``language`` (English for a language the portal does not have)."""
    index = LANGUAGES.index(language) if language in LANGUAGES else 0
    return {key: values[index] for key, values in _W.items()}

"""The catalogue of every diagnostic code: severity, French message and hint, and an example.

Codes are stable: partners search for them, CI logs quote them. Never renumber; retire a code
by leaving it here with a note. Message and hint templates are `str.format` strings filled from
a finding's params. The examples feed the rules reference (`fedreg rules`, docs/rules.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import Severity

E = Severity.ERROR
W = Severity.WARNING


@dataclass(frozen=True, kw_only=True)
class Rule:
    code: str
    severity: Severity
    title: str
    message: str
    hint: str
    rejects: str
    accepts: str
    retired: str = ""  # why a retired code is no longer emitted (it stays in the catalogue)


_WAIVER_EXAMPLE = (
    "waivers:\n  - code: N007\n    file: registry/production/service-providers/demo.yaml\n"
    '    reason: migration des plages en cours\n    granted_by: "@agent-federation"\n'
    "    expires: "
)

_RULES = [
    # -- P: reading the file ------------------------------------------------------------------
    Rule(
        code="P001",
        severity=E,
        title="YAML invalide",
        message="YAML invalide : {problem}.",
        hint=(
            "Vérifiez l'indentation (des espaces, jamais de tabulations), les deux-points et les "
            "guillemets autour de cette position."
        ),
        rejects="redirect_uris:\n  - https://a.fr/cb\n - https://a.fr/cb2",
        accepts="redirect_uris:\n  - https://a.fr/cb\n  - https://a.fr/cb2",
    ),
    Rule(
        code="P002",
        severity=E,
        title="Clé en double",
        message="La clé « {key} » apparaît deux fois (première occurrence ligne {first_line}).",
        hint="Gardez une seule occurrence : YAML ne retiendrait que la dernière, sans rien dire.",
        rejects="network: internet\nnetwork: rie",
        accepts="network: rie",
    ),
    Rule(
        code="P003",
        severity=E,
        title="Étiquette YAML",
        message="Les étiquettes YAML ({tag}) ne sont pas acceptées.",
        hint="Retirez l'étiquette ; pour qu'une valeur reste du texte, mettez-la entre guillemets.",
        rejects="name: !!str Mon service",
        accepts='name: "Mon service"',
    ),
    Rule(
        code="P004",
        severity=E,
        title="Ancre ou alias YAML",
        message="Les ancres et alias YAML (« & » et « * ») ne sont pas acceptés.",
        hint=(
            "Recopiez la valeur en toutes lettres : chaque fichier doit se lire seul, sans renvoi."
        ),
        rejects="redirect_uris: &uris\n  - https://a.fr/cb\npost_logout_redirect_uris: *uris",
        accepts=(
            "redirect_uris:\n  - https://a.fr/cb\npost_logout_redirect_uris:\n  - https://a.fr/cb"
        ),
    ),
    Rule(
        code="P005",
        severity=E,
        title="Le fichier n'est pas un objet",
        message="Le fichier doit contenir des paires « clé: valeur », pas {found}.",
        hint="Partez du modèle écrit par « fedreg new » ou d'un fichier existant du registre.",
        rejects="- https://a.fr/cb",
        accepts="kind: ServiceProvider\nname: Mon service\n...",
    ),
    Rule(
        code="P006",
        severity=E,
        title="Encodage autre qu'UTF-8",
        message="Le fichier n'est pas encodé en UTF-8 (octet {byte} invalide).",
        hint=(
            "Enregistrez le fichier en UTF-8 depuis votre éditeur (souvent : « Enregistrer sous », "
            "encodage UTF-8)."
        ),
        rejects="name: Minist\\xe8re (Latin-1)",
        accepts="name: Ministère (UTF-8)",
    ),
    Rule(
        code="P007",
        severity=E,
        title="Fichier trop gros",
        message="Le fichier fait {size} octets, au-delà de la limite de {limit} octets.",
        hint=(
            "Un fichier décrit un seul fournisseur ; un fichier de cette taille n'est pas un "
            "fichier de configuration."
        ),
        rejects="(plus de 64 Kio)",
        accepts="(un fournisseur par fichier)",
    ),
    Rule(
        code="P008",
        severity=E,
        title="Plusieurs documents YAML",
        message="Le fichier contient plusieurs documents YAML (séparés par « --- »).",
        hint="Un fichier par fournisseur : placez chaque document dans son propre fichier.",
        rejects="kind: ServiceProvider\n---\nkind: ServiceProvider",
        accepts="kind: ServiceProvider",
    ),
    Rule(
        code="P009",
        severity=E,
        title="Clé qui n'est pas un nom de champ",
        message="La clé {key} n'est pas un nom de champ.",
        hint="Les clés sont des noms de champ en texte simple, comme « redirect_uris ».",
        rejects="? [a, b]\n: valeur",
        accepts="redirect_uris: []",
    ),
    # -- S: shape of the document -------------------------------------------------------------
    Rule(
        code="S001",
        severity=E,
        title="Clé inconnue",
        message="Clé inconnue : « {key} ».",
        hint="{detail}",
        rejects="redirect_uri:\n  - https://a.fr/cb",
        accepts="redirect_uris:\n  - https://a.fr/cb",
    ),
    Rule(
        code="S002",
        severity=E,
        title="Champ obligatoire manquant",
        message="Champ obligatoire manquant : « {key} ».",
        hint="Ajoutez « {key} » : {detail}",
        rejects="kind: ServiceProvider\nname: Mon service\n(sans network)",
        accepts="network: internet",
    ),
    Rule(
        code="S003",
        severity=E,
        title="Type de valeur incorrect",
        message="« {field} » doit être {expected}, pas {found}.",
        hint="{detail}",
        rejects="active: oui",
        accepts="active: true",
    ),
    Rule(
        code="S004",
        severity=E,
        title="Valeur non acceptée",
        message="« {field} » : {value} n'est pas une valeur acceptée.",
        hint="Valeurs acceptées : {allowed}.",
        rejects="network: intranet",
        accepts="network: rie",
    ),
    Rule(
        code="S005",
        severity=E,
        title="Secret dans le dépôt",
        message=(
            "Un secret (« {key} ») n'a rien à faire dans ce fichier : tout ce qui est dans git "
            "est lisible par tous."
        ),
        hint=(
            "Retirez cette clé et considérez ce secret comme divulgué : faites-le renouveler. Le "
            "secret d'un FS est généré au déploiement et remis chiffré à ses destinataires ; un FI "
            "transmet le sien chiffré pour la fédération, jamais en clair."
        ),
        rejects="client_secret: 3f1c...",
        accepts="(aucune clé de secret)",
    ),
    Rule(
        code="S006",
        severity=E,
        title="Liste vide",
        message="« {field} » ne peut pas être vide.",
        hint="{detail}",
        rejects="redirect_uris: []",
        accepts="redirect_uris:\n  - https://a.fr/cb",
    ),
    Rule(
        code="S007",
        severity=E,
        title="Longueur incorrecte",
        message="« {field} » doit faire entre {min} et {max} caractères (ici {length}).",
        hint="Raccourcissez ou complétez la valeur.",
        rejects='name: ""',
        accepts="name: Mon service",
    ),
    Rule(
        code="S008",
        severity=W,
        title="Adresse de support absente",
        message=(
            "support_email est absent : les pages d'erreur n'indiqueront aucun support pour ce FI."
        ),
        hint=(
            "Ajoutez support_email : l'adresse que les agents écrivent quand la connexion par ce "
            "FI "
            "échoue."
        ),
        rejects="(sans support_email)",
        accepts="support_email: support@ministere.gouv.fr",
    ),
    # -- I: identifiers and contacts ----------------------------------------------------------
    Rule(
        code="I001",
        severity=E,
        title="client_id mal formé",
        message="client_id « {value} » : {expected}.",
        hint=(
            "Le client_id d'un FS est attribué par la fédération (« fedreg new » en génère un) ; "
            "ne le modifiez pas, votre intégration cesserait de fonctionner."
        ),
        rejects="client_id: mon-appli",
        accepts='client_id: "6925fb8143c76eded44d32b40c0cb1006065f7f003de52712b78985704f39950"',
    ),
    Rule(
        code="I002",
        severity=E,
        title="uid mal formé",
        message="uid « {value} » : un UUID est attendu (8-4-4-4-12 caractères hexadécimaux).",
        hint="L'uid d'un FI est attribué par la fédération (« fedreg new » en génère un).",
        rejects="uid: fia1",
        accepts="uid: 9c716f61-b8a1-435c-a407-ef4d677ec270",
    ),
    Rule(
        code="I003",
        severity=E,
        title="SIRET invalide",
        message="SIRET « {value} » invalide : {reason}.",
        hint=(
            "Un SIRET compte 14 chiffres, s'écrit entre guillemets et respecte la clé de Luhn ; "
            "vérifiez-le sur annuaire-entreprises.data.gouv.fr."
        ),
        rejects='siret: "13002526500012"',
        accepts='siret: "13002526500013"',
    ),
    Rule(
        code="I004",
        severity=E,
        title="Caractère non accepté dans un nom",
        message="« {field} » contient un caractère non accepté : « {char} ».",
        hint=(
            "Caractères acceptés : lettres (accentuées comprises), chiffres, espaces (insécables "
            "comprises) et , . : ! ( ) _ ' ’ « » - & /"
        ),
        rejects="name: Mon service <test>",
        accepts="name: Mon service (test)",
    ),
    Rule(
        code="I005",
        severity=E,
        title="Propriétaire mal écrit",
        message=(
            "Propriétaire « {value} » invalide : un compte GitHub « @identifiant » ou une équipe "
            "« @organisation/équipe » est attendu."
        ),
        hint=(
            "Les propriétaires sont ceux qui pourront modifier ce fichier : indiquez des comptes "
            "ou équipes GitHub précédés de « @ »."
        ),
        rejects="owners:\n  - jean.dupont@exemple.fr",
        accepts='owners:\n  - "@jdupont"',
    ),
    Rule(
        code="I006",
        severity=E,
        title="Adresse e-mail invalide",
        message="Adresse e-mail « {value} » invalide : {reason}.",
        hint="Indiquez une adresse complète, comme equipe-technique@ministere.gouv.fr.",
        rejects="contacts:\n  - equipe.ministere.gouv.fr",
        accepts="contacts:\n  - equipe@ministere.gouv.fr",
    ),
    Rule(
        code="I007",
        severity=W,
        title="Entrée en double",
        message="« {value} » figure deux fois dans « {list} ».",
        hint="Retirez le doublon.",
        rejects="scopes: [openid, email, email]",
        accepts="scopes: [openid, email]",
    ),
    Rule(
        code="I008",
        severity=E,
        title="Clé publique age invalide",
        message="« {value} » n'est pas une clé publique age (age1… en 62 caractères).",
        hint=(
            "Générez une paire de clés avec « age-keygen » et indiquez la ligne « public key » ; "
            "gardez la clé privée pour vous."
        ),
        rejects="secret_recipients:\n  - ssh-rsa AAAA…",
        accepts=(
            "secret_recipients:\n  - age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
        ),
    ),
    Rule(
        code="I009",
        severity=E,
        title="Secret de FI non chiffré",
        message=(
            "client_secret_age doit être un message chiffré avec age, en texte armuré "
            "(-----BEGIN AGE ENCRYPTED FILE-----)."
        ),
        hint=(
            "Chiffrez le secret avec la clé publique de la fédération : age -a -r {recipient} ; "
            "ne mettez jamais le secret en clair dans le dépôt."
        ),
        rejects="client_secret_age: mon-secret",
        accepts="client_secret_age: |\n  -----BEGIN AGE ENCRYPTED FILE-----\n  …",
    ),
    Rule(
        code="I010",
        severity=E,
        title="Nouveau FS sans destinataire de son secret",
        message=(
            "Ce FS est nouveau dans le déploiement {deployment} mais n'a pas de "
            "secret_recipients (ou seulement la clé d'exemple de « fedreg new ») : le "
            "déploiement le refuserait, et retiendrait avec lui tous les autres changements de "
            "{deployment}."
        ),
        hint=(
            "Créez une clé age pour votre équipe (age-keygen -o ma-cle.txt) et ajoutez sa clé "
            "publique : secret_recipients: [age1…]. Le secret généré au déploiement vous sera "
            "remis chiffré pour elle."
        ),
        rejects="(nouveau FS)\naccepts_private_sector: false",
        accepts=(
            "secret_recipients:\n  - age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
        ),
    ),
    Rule(
        code="I011",
        severity=E,
        title="Nouveau FI sans son secret chiffré",
        message=(
            "Ce FI est nouveau dans le déploiement {deployment} mais n'a pas de "
            "client_secret_age : le déploiement le refuserait, et retiendrait avec lui tous les "
            "autres changements de {deployment}."
        ),
        hint=(
            "Chiffrez le secret client que votre FI a créé pour la fédération avec la clé de "
            "l'environnement {environment} (age -a -r {recipient}), collez le résultat sous "
            "client_secret_age: | et déclarez client_secret_age_recipient: {recipient}."
        ),
        rejects="(nouveau FI)\nmfa_compliant: true",
        accepts="client_secret_age: |\n  -----BEGIN AGE ENCRYPTED FILE-----\n  …",
    ),
    Rule(
        code="I012",
        severity=E,
        title="Valeur d'exemple en production",
        message=(
            "« {value} » est une valeur d'exemple écrite par « fedreg new » : elle ne peut pas "
            "aller en production."
        ),
        hint=(
            "Remplacez-la par la vraie valeur de votre service (les valeurs d'exemple contiennent "
            "« a-remplacer » ; la plage RIE d'exemple est {range})."
        ),
        rejects="redirect_uris:\n  - https://mon-service.a-remplacer.example.fr/oidc-callback",
        accepts="redirect_uris:\n  - https://mon-service.gouv.fr/oidc-callback",
    ),
    Rule(
        code="I013",
        severity=W,
        title="Valeur d'exemple en intégration",
        message="« {value} » est une valeur d'exemple écrite par « fedreg new ».",
        hint=(
            "Remplacez-la par la vraie valeur de votre service avant de l'utiliser (les valeurs "
            "d'exemple contiennent « a-remplacer » ; la plage RIE d'exemple est {range}) ; en "
            "production, c'est une erreur."
        ),
        rejects="redirect_uris:\n  - https://mon-service.a-remplacer.example.fr/oidc-callback",
        accepts="redirect_uris:\n  - https://mon-service.gouv.fr/oidc-callback",
    ),
    Rule(
        code="I014",
        severity=E,
        title="Clé du secret de FI non déclarée",
        message=(
            "client_secret_age ne dit pas pour quelle clé il est chiffré : ajoutez "
            "client_secret_age_recipient."
        ),
        hint=(
            "Chiffrez le secret pour la clé de la fédération en {environment} (age -a -r "
            "{recipient}) et déclarez-la : client_secret_age_recipient: {recipient}."
        ),
        rejects=(
            "client_secret_age: |\n  -----BEGIN AGE ENCRYPTED FILE-----\n  …\n"
            "(sans client_secret_age_recipient)"
        ),
        accepts="client_secret_age_recipient: age1…\nclient_secret_age: |\n  -----BEGIN AGE …",
    ),
    Rule(
        code="I015",
        severity=E,
        title="Secret de FI chiffré pour la clé d'un autre environnement",
        message=(
            "client_secret_age_recipient « {value} » n'est pas la clé de la fédération en "
            "{environment}{detail}."
        ),
        hint=(
            "Chaque environnement a sa propre clé, et un déploiement ne détient que la sienne : "
            "chiffrez à nouveau le secret avec age -a -r {recipient} et déclarez cette clé."
        ),
        rejects="(en production)\nclient_secret_age_recipient: <clé d'intégration>",
        accepts="(en production)\nclient_secret_age_recipient: <clé de production>",
    ),
    Rule(
        code="I016",
        severity=E,
        title="Secret de FI chiffré pour plusieurs clés",
        message="client_secret_age {problem}.",
        hint=(
            "Chiffrez le secret pour une seule clé, celle de la fédération en {environment} "
            "(age -a -r {recipient}) : un message chiffré pour plusieurs clés s'ouvre avec "
            "chacune, y compris celle d'un autre environnement."
        ),
        rejects="age -a -r <clé d'intégration> -r <clé de production>",
        accepts="age -a -r <clé de production>",
    ),
    # -- L: where the file lives --------------------------------------------------------------
    Rule(
        code="L001",
        severity=E,
        title="Fichier hors de l'arborescence du registre",
        message="Ce fichier n'est pas à un emplacement du registre : {reason}.",
        hint=(
            "Chaque fournisseur est un fichier registry/<integration|production>/"
            "<service-providers|identity-providers>/<nom>.yaml."
        ),
        rejects="registry/prod/service-providers/mon-service.yml",
        accepts="registry/production/service-providers/mon-service.yaml",
    ),
    Rule(
        code="L002",
        severity=E,
        title="Nom de fichier invalide",
        message="Nom de fichier « {slug} » invalide.",
        hint=(
            "Le nom (sans .yaml) fait de 2 à 63 caractères : minuscules, chiffres et tirets, "
            "en commençant par une lettre ou un chiffre."
        ),
        rejects="Mon_Service.yaml",
        accepts="mon-service.yaml",
    ),
    Rule(
        code="L003",
        severity=E,
        title="Type de fournisseur et dossier en désaccord",
        message="Ce fichier décrit un {kind} mais se trouve dans le dossier {folder}/.",
        hint=(
            "Les FS (ServiceProvider) vont dans service-providers/, les FI (IdentityProvider) "
            "dans identity-providers/."
        ),
        rejects="registry/integration/identity-providers/x.yaml avec kind: ServiceProvider",
        accepts="registry/integration/service-providers/x.yaml avec kind: ServiceProvider",
    ),
    Rule(
        code="L004",
        severity=E,
        title="Entrée du registre qui n'est pas un fichier ordinaire",
        message="Cette entrée est {what} : seuls les fichiers ordinaires font partie du registre.",
        hint=(
            "Remplacez-la par un fichier YAML ordinaire (copiez le contenu plutôt que de lier) ; "
            "liens symboliques et sous-modules git ne sont jamais suivis."
        ),
        rejects="registry/production/service-providers/x.yaml → lien vers ../../integration/…",
        accepts="registry/production/service-providers/x.yaml, fichier ordinaire",
    ),
    # -- U: URLs ------------------------------------------------------------------------------
    Rule(
        code="U001",
        severity=E,
        title="URL non absolue",
        message="« {value} » n'est pas une URL absolue (schéma://hôte/chemin).",
        hint="Écrivez l'URL complète, avec https:// et le nom d'hôte.",
        rejects="- /oidc-callback",
        accepts="- https://mon-service.gouv.fr/oidc-callback",
    ),
    Rule(
        code="U002",
        severity=E,
        title="Espace ou caractère de contrôle dans une URL",
        message="L'URL « {shown} » contient {char} en position {position}.",
        hint=(
            "Retirez ce caractère (souvent copié-collé avec l'URL, et invisible dans l'éditeur) ; "
            "une espace voulue s'écrit %20."
        ),
        rejects='- "https://a.fr/cb "',
        accepts="- https://a.fr/cb",
    ),
    Rule(
        code="U003",
        severity=E,
        title="Identifiants dans une URL",
        message="L'URL « {value} » contient un identifiant avant l'hôte (« …@ »).",
        hint=(
            "Retirez la partie « utilisateur:mot-de-passe@ » : une URL de redirection n'en "
            "contient jamais."
        ),
        rejects="- https://user:pw@a.fr/cb",
        accepts="- https://a.fr/cb",
    ),
    Rule(
        code="U004",
        severity=E,
        title="Fragment dans une URL",
        message="L'URL « {value} » contient un fragment (« #… »), interdit par OpenID Connect.",
        hint="Retirez la partie qui commence par « # ».",
        rejects="- https://a.fr/cb#login",
        accepts="- https://a.fr/cb",
    ),
    Rule(
        code="U005",
        severity=E,
        title="Joker dans une URL",
        message=(
            "L'URL « {value} » contient « * » : les jokers ne sont pas pris en charge, la "
            "correspondance est exacte."
        ),
        hint="Listez chaque URL complète, une par ligne.",
        rejects="- https://*.a.fr/cb",
        accepts="- https://app1.a.fr/cb\n- https://app2.a.fr/cb",
    ),
    Rule(
        code="U006",
        severity=E,
        title="URL trop longue",
        message="L'URL fait {length} caractères, au-delà de {limit}.",
        hint="Raccourcissez l'URL (retirez les paramètres inutiles).",
        rejects="- https://a.fr/cb?(3000 caractères)",
        accepts="- https://a.fr/cb",
    ),
    Rule(
        code="U007",
        severity=E,
        title="URL en double",
        message="L'URL « {value} » figure deux fois dans « {list} ».",
        hint="Retirez le doublon.",
        rejects="- https://a.fr/cb\n- https://a.fr/cb",
        accepts="- https://a.fr/cb",
    ),
    Rule(
        code="U008",
        severity=W,
        title="URLs qui ne diffèrent que par la barre oblique finale",
        message="« {value} » et « {other} » ne diffèrent que par la barre oblique finale.",
        hint=(
            "La correspondance est exacte (erreur Y030031 en cas d'écart) : gardez seulement "
            "celle que votre application envoie réellement."
        ),
        rejects="- https://a.fr/cb\n- https://a.fr/cb/",
        accepts="- https://a.fr/cb",
    ),
    Rule(
        code="U009",
        severity=E,
        title="URL qui pointe vers la fédération",
        message="L'URL « {value} » pointe vers la fédération elle-même ({host}).",
        hint=(
            "Indiquez les URL de votre application, vers lesquelles ProConnect renvoie "
            "l'utilisateur."
        ),
        rejects="- https://auth.agentconnect.gouv.fr/cb",
        accepts="- https://mon-service.gouv.fr/cb",
    ),
    Rule(
        code="U010",
        severity=W,
        title="URL de déconnexion sur un hôte inconnu",
        message="L'hôte « {host} » de cette URL de déconnexion n'est celui d'aucune redirect_uri.",
        hint="Vérifiez qu'il s'agit bien de votre application ; sinon corrigez l'URL.",
        rejects="redirect_uris: [https://a.fr/cb]\npost_logout_redirect_uris: [https://b.fr/]",
        accepts="redirect_uris: [https://a.fr/cb]\npost_logout_redirect_uris: [https://a.fr/]",
    ),
    Rule(
        code="U011",
        severity=E,
        title="Schéma d'URL non accepté",
        message="L'URL « {value} » utilise « {scheme} », non accepté en {environment}.",
        hint="{detail}",
        rejects="- http://mon-service.gouv.fr/cb",
        accepts="- https://mon-service.gouv.fr/cb",
    ),
    Rule(
        code="U012",
        severity=E,
        title="Hôte non public en production",
        message="« {host} » n'est pas un nom de domaine public ({reason}).",
        hint=(
            "En production, ProConnect ne redirige que vers un nom de domaine public en https "
            "(erreur Y04A586 sinon). Les adresses locales restent possibles en intégration."
        ),
        rejects="- https://localhost:3000/cb",
        accepts="- https://mon-service.gouv.fr/cb",
    ),
    Rule(
        code="U013",
        severity=E,
        title="Nom d'hôte invalide",
        message="L'hôte « {host} » de l'URL n'est pas un nom de domaine valide.",
        hint=(
            "Un nom d'hôte est fait de lettres, chiffres, tirets et points (ex. : "
            "mon-service.gouv.fr)."
        ),
        rejects="- https://mon_service..fr/cb",
        accepts="- https://mon-service.fr/cb",
    ),
    Rule(
        code="U014",
        severity=E,
        title="URL de découverte mal formée",
        message="discovery_url doit se terminer par /.well-known/openid-configuration.",
        hint="Indiquez l'URL publique du document de découverte OpenID de votre FI.",
        rejects="discovery_url: https://fi.gouv.fr/",
        accepts="discovery_url: https://fi.gouv.fr/.well-known/openid-configuration",
    ),
    Rule(
        code="U015",
        severity=E,
        title="Points d'accès du FI incomplets",
        message="{problem}",
        hint=(
            "Donnez soit discovery_url, soit, sans découverte, issuer, authorization_url, "
            "token_url et userinfo_url (jwks_url et end_session_url en option)."
        ),
        rejects="discovery_url: …\nissuer: …",
        accepts="discovery_url: https://fi.gouv.fr/.well-known/openid-configuration",
    ),
    Rule(
        code="U016",
        severity=E,
        title="Schéma d'URL en majuscules",
        message=(
            "L'URL « {value} » écrit son schéma « {scheme} » avec des majuscules : le cœur de la "
            "fédération ne reconnaît que http:// et https:// en minuscules et écarterait ce "
            "fournisseur."
        ),
        hint="Écrivez le schéma en minuscules : {fixed}",
        rejects="- HTTPS://mon-service.gouv.fr/cb",
        accepts="- https://mon-service.gouv.fr/cb",
    ),
    Rule(
        code="U017",
        severity=E,
        title="URL trop courte pour le cœur",
        message=(
            "L'URL « {value} » est refusée par le cœur de la fédération (^https?://[^/].+$) : il "
            "faut au moins deux caractères après « :// »."
        ),
        hint="Indiquez le nom d'hôte complet, comme https://mon-service.gouv.fr/callback.",
        rejects="- https://a",
        accepts="- https://mon-service.gouv.fr/cb",
    ),
    # -- N: IP ranges -------------------------------------------------------------------------
    Rule(
        code="N001",
        severity=E,
        title="Adresse ou plage IP invalide",
        message="« {value} » n'est pas une adresse IP ni une plage CIDR valide.",
        hint="Exemples : 145.242.17.10, 145.242.17.0/28, 2001:67c:2e8::/48.",
        rejects="- 145.242.17",
        accepts="- 145.242.17.0/24",
    ),
    Rule(
        code="N002",
        severity=E,
        title="Plage écrite avec des bits d'hôte",
        message=(
            "« {value} » n'est pas l'adresse de début de la plage : le réseau s'écrit {network}."
        ),
        hint="Écrivez {network}, ou {address} seule si vous ne visiez que cette adresse.",
        rejects="- 145.242.17.10/24",
        accepts="- 145.242.17.0/24",
    ),
    Rule(
        code="N003",
        severity=E,
        title="Plage qui couvre tout",
        message="« {value} » ouvrirait l'accès à toutes les adresses.",
        hint="Listez seulement les adresses de vos serveurs.",
        rejects="- 0.0.0.0/0",
        accepts="- 145.242.17.0/28",
    ),
    Rule(
        code="N004",
        severity=E,
        title="Plage trop large",
        message="La plage « {value} » est plus large que /{limit}, le maximum accepté.",
        hint="Listez les adresses ou sous-réseaux réellement utilisés par vos serveurs.",
        rejects="- 145.242.0.0/16",
        accepts="- 145.242.17.0/24",
    ),
    Rule(
        code="N005",
        severity=E,
        title="Adresse non routable sur Internet",
        message="« {value} » n'est pas une adresse publique d'Internet ({reason}).",
        hint="Sur le réseau internet, indiquez les adresses publiques de sortie de vos serveurs.",
        rejects="- 192.168.1.0/24",
        accepts="- 145.242.17.0/28",
    ),
    Rule(
        code="N006",
        severity=E,
        title="Adresse hors du RIE",
        message="« {value} » n'est pas dans l'espace d'adresses du RIE ({rie}).",
        hint=(
            "Sur le RIE, indiquez l'adresse avec laquelle vos serveurs appellent la fédération "
            "sur le RIE ; votre équipe réseau la connaît."
        ),
        rejects="- 145.242.17.0/28",
        accepts="- 100.67.22.0/28",
    ),
    Rule(
        code="N007",
        severity=W,
        title="Plages qui se chevauchent",
        message="« {value} » chevauche « {other} ».",
        hint="Gardez la plus large des deux, ou retirez le doublon.",
        rejects="- 100.67.22.0/24\n- 100.67.22.16/28",
        accepts="- 100.67.22.0/24",
    ),
    Rule(
        code="N008",
        severity=E,
        title="Plages IP manquantes",
        message="ip_ranges est obligatoire ici : {reason}.",
        hint=(
            "Indiquez les adresses avec lesquelles vos serveurs appellent la fédération (token, "
            "userinfo) : elles servent à ouvrir les flux du pare-feu du RIE."
        ),
        rejects="network: rie\n(sans ip_ranges)",
        accepts="network: rie\nip_ranges:\n  - 100.67.22.0/28",
    ),
    Rule(
        code="N009",
        severity=E,
        title="Trop d'adresses ouvertes par le fichier",
        message=(
            "Les plages de ip_ranges ouvrent {total} au total, au-delà de la limite de {limit} "
            "par fichier."
        ),
        hint=(
            "Listez seulement les adresses des serveurs qui appellent la fédération ; une "
            "ouverture plus large se demande à l'équipe de la fédération ({key} dans "
            "policy.yaml)."
        ),
        rejects="ip_ranges:\n  - 100.64.0.0/24\n  - 100.64.1.0/24\n  - … (3 295 blocs /24)",
        accepts="ip_ranges:\n  - 100.67.22.0/28",
    ),
    # -- D: e-mail domains --------------------------------------------------------------------
    Rule(
        code="D001",
        severity=E,
        title="Domaine invalide",
        message="« {value} » n'est pas un nom de domaine accepté : {reason}.",
        hint="{detail}",
        rejects="- Ministere.GOUV.fr",
        accepts="- ministere.gouv.fr",
    ),
    Rule(
        code="D002",
        severity=E,
        title="Suffixe public",
        message="« {value} » {reason}.",
        hint=(
            "Indiquez le domaine de l'organisation elle-même (ex. : ministere.gouv.fr, pas "
            "gouv.fr)."
        ),
        rejects="- gouv.fr",
        accepts="- ministere.gouv.fr",
    ),
    Rule(
        code="D003",
        severity=E,
        title="Messagerie grand public",
        message=(
            "« {value} » est une messagerie grand public : ses utilisateurs ne sont pas des agents "
            "d'une organisation."
        ),
        hint="Un FI ne se rattache que les domaines de son organisation.",
        rejects="- gmail.com",
        accepts="- ministere.gouv.fr",
    ),
    Rule(
        code="D004",
        severity=E,
        title="Domaine déjà rattaché à un autre FI",
        message=(
            "Le domaine « {value} » est déjà rattaché au FI « {other} » ({other_path}) dans ce "
            "même déploiement."
        ),
        hint=(
            "Un domaine n'est routé que vers un seul FI : voyez avec l'équipe de la fédération "
            "lequel doit le garder."
        ),
        rejects="(attached_email_domains: [ministere.gouv.fr] dans deux FI)",
        accepts="(dans un seul FI)",
        retired=(
            "Retiré : le cœur accepte un domaine rattaché à plusieurs FI (il propose "
            "alors aux agents de choisir). Voir D006 (avertissement) et D007 (doublon dans un même "
            "FI)."
        ),
    ),
    Rule(
        code="D005",
        severity=W,
        title="Domaine en double",
        message="« {value} » figure plusieurs fois parmi les domaines de ce FI.",
        hint=(
            "Un domaine est soit rattaché (attached_email_domains), soit seulement accepté "
            "(extra_accepted_email_domains), une seule fois."
        ),
        rejects="attached_email_domains: [a.fr]\nextra_accepted_email_domains: [a.fr]",
        accepts="attached_email_domains: [a.fr]",
    ),
    Rule(
        code="D006",
        severity=W,
        title="Domaine rattaché à plusieurs FI",
        message=(
            "Le domaine « {value} » est aussi rattaché à {others} dans ce déploiement : les agents "
            "de ce domaine devront choisir leur fournisseur d'identité."
        ),
        hint=(
            "C'est possible, le cœur leur propose ce choix ; rattacher un domaine déjà tenu par un "
            "autre FI demande la revue de l'équipe de la fédération. Sinon, retirez-le d'un des FI."
        ),
        rejects="(attached_email_domains: [ministere.gouv.fr] dans deux FI)",
        accepts="(dans un seul FI)",
    ),
    Rule(
        code="D007",
        severity=E,
        title="Domaine rattaché deux fois au même FI",
        message="« {value} » figure deux fois dans attached_email_domains.",
        hint="Retirez le doublon.",
        rejects="attached_email_domains:\n  - a.fr\n  - a.fr",
        accepts="attached_email_domains:\n  - a.fr",
    ),
    Rule(
        code="D008",
        severity=E,
        title="Domaine refusé par l'administration de la fédération",
        message=(
            "« {value} » est refusé par l'application d'administration de la fédération : "
            "l'extension d'un domaine rattaché doit faire de 2 à 10 lettres."
        ),
        hint=(
            "Vérifiez le domaine ; s'il est juste, voyez avec l'équipe de la fédération : c'est "
            "le formulaire d'administration qui refuse ce domaine (le cœur, lui, le chargerait), "
            "et un FI ainsi configuré ne pourrait plus y être modifié."
        ),
        rejects="- mairie.construction",
        accepts="- mairie.fr",
    ),
    # -- O: OIDC settings ---------------------------------------------------------------------
    Rule(
        code="O001",
        severity=E,
        title="Scope openid manquant",
        message="scopes doit contenir « openid ».",
        hint="Ajoutez openid à la liste : c'est le seul scope obligatoire.",
        rejects="scopes: [email]",
        accepts="scopes: [openid, email]",
    ),
    Rule(
        code="O002",
        severity=E,
        title="Scope inconnu",
        message="Scope inconnu de la fédération : « {value} ».",
        hint="{detail}",
        rejects="scopes: [openid, mail]",
        accepts="scopes: [openid, email]",
    ),
    Rule(
        code="O003",
        severity=E,
        title="Scope profile non pris en charge",
        message="ProConnect ne prend pas en charge le scope « profile ».",
        hint=(
            "Demandez à la place les données utiles : given_name, usual_name, email, uid, "
            "siret, phone, organizational_unit, belonging_population."
        ),
        rejects="scopes: [openid, profile]",
        accepts="scopes: [openid, given_name, usual_name, email]",
    ),
    Rule(
        code="O004",
        severity=W,
        title="Signature HS256 déconseillée",
        message="« {field} » vaut HS256, géré mais non recommandé.",
        hint="Préférez ES256 ou RS256 (signature asymétrique).",
        rejects="id_token_signed_response_alg: HS256",
        accepts="id_token_signed_response_alg: ES256",
    ),
    Rule(
        code="O005",
        severity=W,
        title="Userinfo non signé",
        message=(
            "userinfo_signed_response_alg est vide : userinfo sera renvoyé en JSON non signé, "
            "ce qui n'est pas recommandé."
        ),
        hint="Indiquez ES256 ou RS256.",
        rejects="userinfo_signed_response_alg: null",
        accepts="userinfo_signed_response_alg: ES256",
    ),
    Rule(
        code="O006",
        severity=E,
        title="Chiffrement non accepté",
        message="« {field} » : « {value} » n'est pas une valeur acceptée.",
        hint="Valeurs acceptées : {allowed}.",
        rejects="id_token_encrypted_response_enc: A128GCM",
        accepts="id_token_encrypted_response_enc: A256GCM",
    ),
    Rule(
        code="O007",
        severity=E,
        title="Chiffrement incomplet",
        message="« {present} » est renseigné sans « {missing} ».",
        hint="{detail}",
        rejects="userinfo_encrypted_response_enc: A256GCM\n(sans userinfo_encrypted_response_alg)",
        accepts=(
            "userinfo_encrypted_response_alg: RSA-OAEP\nuserinfo_encrypted_response_enc: A256GCM"
        ),
    ),
    Rule(
        code="O008",
        severity=W,
        title="Contenu chiffré sans algorithme : ignoré",
        message=(
            "« {present} » est renseigné sans « {missing} » : le cœur ne chiffre rien sans "
            "algorithme, cette valeur est ignorée."
        ),
        hint="Retirez {present}, ou indiquez {missing} ({algs}) pour chiffrer vraiment.",
        rejects="userinfo_encrypted_response_enc: A256GCM\n(sans userinfo_encrypted_response_alg)",
        accepts=(
            "userinfo_encrypted_response_alg: RSA-OAEP\nuserinfo_encrypted_response_enc: A256GCM"
        ),
    ),
    # -- X: across files ----------------------------------------------------------------------
    Rule(
        code="X001",
        severity=E,
        title="client_id déjà utilisé",
        message="Le client_id est déjà utilisé par {other_path} ({environment}, réseau {network}).",
        hint=(
            "Chaque FS a son propre client_id par déploiement : générez-en un avec « fedreg new »."
        ),
        rejects="(même client_id dans deux fichiers)",
        accepts="(un client_id par fichier)",
    ),
    Rule(
        code="X002",
        severity=E,
        title="uid déjà utilisé",
        message="L'uid est déjà utilisé par {other_path} ({environment}).",
        hint="Chaque FI a son propre uid : générez-en un avec « fedreg new ».",
        rejects="(même uid dans deux fichiers)",
        accepts="(un uid par fichier)",
    ),
    Rule(
        code="X003",
        severity=E,
        title="Nom déjà utilisé",
        message=(
            "Le nom « {value} » est déjà celui de {other_path} ({environment}, réseau {network})."
        ),
        hint="Les utilisateurs voient ce nom : donnez à chaque fournisseur un nom distinct.",
        rejects="(même name dans deux fichiers)",
        accepts="(un nom par fournisseur)",
    ),
    # -- Q: the policy file -------------------------------------------------------------------
    Rule(
        code="Q001",
        severity=E,
        title="Valeur de politique invalide",
        message="policy.yaml : {problem}.",
        hint="La politique est relue par l'équipe de la fédération ; corrigez la valeur indiquée.",
        rejects="rie_address_space: [100.64.0.0/33]",
        accepts="rie_address_space: [100.64.0.0/10]",
    ),
    Rule(
        code="Q007",
        severity=E,
        title="Clé de politique remplacée",
        message=(
            "policy.yaml : « federation_age_recipient » n'existe plus : chaque environnement a sa "
            "propre clé age."
        ),
        hint=(
            "Écrivez federation_age_recipients: avec une clé integration: et une clé production: "
            "différentes, pour que les déploiements d'intégration ne puissent pas ouvrir les "
            "secrets de production."
        ),
        rejects="federation_age_recipient: age1…",
        accepts="federation_age_recipients:\n  integration: age1…\n  production: age1…",
    ),
    Rule(
        code="Q008",
        severity=E,
        title="Clés age des environnements",
        message="policy.yaml : federation_age_recipients : {problem}.",
        hint=(
            "Une clé age publique (age1…) par environnement, integration et production, "
            "différentes l'une de l'autre."
        ),
        rejects="federation_age_recipients:\n  integration: age1aaa…\n  production: age1aaa…",
        accepts="federation_age_recipients:\n  integration: age1aaa…\n  production: age1bbb…",
    ),
    Rule(
        code="Q009",
        severity=E,
        title="Scope sensible inconnu",
        message=(
            "policy.yaml : « {value} » (sensitive_scopes) n'est pas un scope connu : il ne "
            "protégerait rien."
        ),
        hint="Écrivez le nom exact du scope, comme ProConnect le nomme ({known}).",
        rejects="sensitive_scopes: [chorus_dt]",
        accepts="sensitive_scopes: [chorusdt]",
    ),
    # -- V: live checks (fedreg check-live) --------------------------------------------------
    Rule(
        code="V001",
        severity=E,
        title="Document refusé par le serveur",
        message="{document} : le serveur a répondu {status} à {url}.",
        hint=(
            "Le document doit être servi avec le statut 200, publiquement et sans authentification."
        ),
        rejects="GET …/.well-known/openid-configuration → 404",
        accepts="GET …/.well-known/openid-configuration → 200",
    ),
    Rule(
        code="V002",
        severity=E,
        title="Redirection refusée",
        message=(
            "{document} : {url} redirige vers {location} ; les redirections ne sont pas suivies."
        ),
        hint=(
            "Indiquez directement l'adresse finale (dans le fichier, ou dans la découverte pour "
            "jwks_uri) : la vérification ne suit aucune redirection."
        ),
        rejects="GET https://auth.a.fr/.well-known/openid-configuration → 302",
        accepts="GET https://auth.a.fr/.well-known/openid-configuration → 200",
    ),
    Rule(
        code="V003",
        severity=E,
        title="Réponse trop grosse",
        message="{document} : la réponse de {url} dépasse {limit} octets.",
        hint=(
            "Un document de découverte ou un JWKS tient en quelques kilo-octets : vérifiez "
            "l'adresse publiée."
        ),
        rejects="(réponse de plusieurs mégaoctets)",
        accepts="(quelques kilo-octets de JSON)",
    ),
    Rule(
        code="V004",
        severity=E,
        title="Réponse qui n'est pas un objet JSON",
        message="{document} : {url} ne renvoie pas un objet JSON ({problem}).",
        hint="Servez le document en JSON (application/json), avec un objet à la racine.",
        rejects="<html>…</html>",
        accepts='{"issuer": "https://auth.a.fr", …}',
    ),
    Rule(
        code="V005",
        severity=E,
        title="Certificat TLS refusé",
        message="{document} : le certificat présenté par {host} est refusé ({problem}).",
        hint=(
            "Le serveur doit présenter un certificat valide pour ce nom, émis par une autorité "
            "reconnue, avec sa chaîne complète : la fédération le vérifie à chaque connexion."
        ),
        rejects="(certificat auto-signé ou expiré)",
        accepts="(certificat d'une autorité reconnue, chaîne complète)",
    ),
    Rule(
        code="V006",
        severity=W,
        title="Serveur injoignable : non vérifié",
        message=("{document} : {url} n'a pas pu être joint depuis le vérificateur : non vérifié."),
        hint=(
            "Le vérificateur ne joint que des adresses publiques d'internet, en https sur le "
            "port 443, et ne dit pas pourquoi une connexion a échoué. Cela peut venir de notre "
            "réseau : relancez plus tard ; à défaut, l'équipe de la fédération vérifiera à la "
            "revue. Un FI joignable seulement depuis le RIE est dans ce cas."
        ),
        rejects="(connexion refusée, nom inconnu)",
        accepts="(serveur joignable en https)",
    ),
    Rule(
        code="V007",
        severity=W,
        title="Réponse trop lente : non vérifié",
        message="{document} : {url} n'a pas répondu en {timeout} s : non vérifié.",
        hint=(
            "La fédération attend aussi une réponse rapide à chaque connexion : vérifiez la charge "
            "et l'accessibilité du serveur, puis relancez."
        ),
        rejects="(réponse après 30 s)",
        accepts="(réponse en moins d'une seconde)",
    ),
    Rule(
        code="V008",
        severity=W,
        title="Temps de vérification épuisé : non vérifié",
        message=(
            "{document} : le temps total de vérification était épuisé avant {url} : non vérifié."
        ),
        hint=(
            "Relancez « fedreg check-live » sur moins de fichiers, ou avec un --budget plus grand."
        ),
        rejects="(trop de fournisseurs pour le budget)",
        accepts="(budget suffisant)",
    ),
    Rule(
        code="V010",
        severity=E,
        title="Issuer différent",
        message="L'issuer publié « {found} » diffère de celui attendu « {expected} ».",
        hint=(
            "OpenID Connect Discovery exige que l'issuer soit l'URL de découverte sans "
            "/.well-known/openid-configuration : corrigez la configuration du FI ou le fichier."
        ),
        rejects='"issuer": "https://autre.a.fr"',
        accepts='"issuer": "https://auth.a.fr"',
    ),
    Rule(
        code="V011",
        severity=E,
        title="Point d'accès absent de la découverte",
        message="La découverte ne publie pas « {member} ».",
        hint=(
            "Publiez {member} dans le document de découverte : la fédération en a besoin à chaque "
            "connexion."
        ),
        rejects='{"issuer": "https://auth.a.fr"}',
        accepts='{"issuer": "https://auth.a.fr", "token_endpoint": "https://auth.a.fr/token", …}',
    ),
    Rule(
        code="V012",
        severity=E,
        title="Point d'accès sans https",
        message="« {member} » vaut {url} : seul https est accepté.",
        hint="Publiez chaque point d'accès en https://, avec un certificat valide.",
        rejects='"token_endpoint": "http://auth.a.fr/token"',
        accepts='"token_endpoint": "https://auth.a.fr/token"',
    ),
    Rule(
        code="V013",
        severity=E,
        title="Hôte non accepté pour ce FI",
        message="« {member} » est sur l'hôte {host}, non accepté pour ce FI : {reason}.",
        hint=(
            "Publiez les points d'accès sur un nom de domaine public (sur le RIE : sous "
            "{suffixes}, sinon déclarez les ip_ranges du FI)."
        ),
        rejects='"userinfo_endpoint": "https://10.0.0.5/userinfo"',
        accepts='"userinfo_endpoint": "https://auth.a.fr/userinfo"',
    ),
    Rule(
        code="V014",
        severity=E,
        title="Algorithme non publié",
        message="« {member} » ne contient pas {alg}, l'algorithme de {field}.",
        hint=(
            "Activez {alg} côté FI, ou choisissez dans le fichier un algorithme que le FI publie "
            "({published})."
        ),
        rejects='"id_token_signing_alg_values_supported": ["RS256"] avec ES256 dans le fichier',
        accepts='"id_token_signing_alg_values_supported": ["RS256", "ES256"]',
    ),
    Rule(
        code="V015",
        severity=E,
        title="client_secret_post non accepté",
        message=(
            "token_endpoint_auth_methods_supported ne contient pas client_secret_post (publié : "
            "{published})."
        ),
        hint=(
            "La fédération s'authentifie uniquement par client_secret_post : le FI doit l'accepter."
        ),
        rejects='"token_endpoint_auth_methods_supported": ["private_key_jwt"]',
        accepts='"token_endpoint_auth_methods_supported": ["client_secret_post"]',
    ),
    Rule(
        code="V016",
        severity=W,
        title="Scopes de la fédération non publiés",
        message=(
            "scopes_supported ne liste pas {scopes}, que la fédération demande à chaque connexion."
        ),
        hint=(
            "Le FI doit ignorer (ou renvoyer vide) un scope qu'il ne gère pas, jamais le refuser : "
            "un refus donne l'erreur invalid_scope (Y020032) et aucune connexion ne passe."
        ),
        rejects='"scopes_supported": ["openid", "email"]',
        accepts='"scopes_supported": ["openid", "uid", "given_name", "usual_name", "email", …]',
    ),
    Rule(
        code="V017",
        severity=E,
        title="Déconnexion non publiée",
        message=(
            "Le fichier attend une déconnexion (end_session_url) mais la découverte ne publie pas "
            "end_session_endpoint."
        ),
        hint=(
            "Publiez end_session_endpoint dans la découverte, ou retirez end_session_url du "
            "fichier."
        ),
        rejects="end_session_url: https://auth.a.fr/logout (absent de la découverte)",
        accepts='"end_session_endpoint": "https://auth.a.fr/logout"',
    ),
    Rule(
        code="V020",
        severity=E,
        title="JWKS illisible",
        message="Les clés publiées à {url} ne se lisent pas : {problem}.",
        hint=(
            "Publiez un JWKS conforme à la RFC 7517 : un objet dont le membre « keys » liste les "
            "clés publiques."
        ),
        rejects='{"keys": [{"kty": "RSA", "n": "…"}]}',
        accepts='{"keys": [{"kty": "RSA", "kid": "k1", "n": "…", "e": "AQAB"}]}',
    ),
    Rule(
        code="V021",
        severity=E,
        title="Aucune clé pour l'algorithme",
        message="Aucune clé publiée n'est utilisable pour {alg} ({requirement}).",
        hint=(
            "Publiez dans le JWKS une clé de signature {requirement}, avec « use » à sig ou sans "
            "« use »."
        ),
        rejects="(ES256 configuré, seulement des clés RSA publiées)",
        accepts='{"keys": [{"kty": "EC", "crv": "P-256", "use": "sig", …}]}',
    ),
    Rule(
        code="V022",
        severity=E,
        title="Clé RSA trop courte",
        message="La clé RSA « {kid} » fait {bits} bits : au moins 2048 sont exigés.",
        hint=(
            "Générez une clé RSA de 2048 bits ou plus (ou passez à ES256) et retirez celle-ci "
            "du JWKS."
        ),
        rejects="(clé RSA de 1024 bits)",
        accepts="(clé RSA de 2048 bits)",
    ),
    Rule(
        code="V023",
        severity=E,
        title="kid en double",
        message="Le kid « {kid} » est porté par {count} clés.",
        hint="Donnez à chaque clé un kid unique : la signature désigne sa clé par son kid.",
        rejects='{"keys": [{"kid": "k1", …}, {"kid": "k1", …}]}',
        accepts='{"keys": [{"kid": "k1", …}, {"kid": "k2", …}]}',
    ),
    Rule(
        code="V024",
        severity=E,
        title="Clé privée publiée",
        message="La clé « {kid} » publie des éléments secrets ({members}) : elle est compromise.",
        hint=(
            "Remplacez cette clé immédiatement par une nouvelle paire et retirez-la : ne publiez "
            "que la partie publique (kty, n, e en RSA ; kty, crv, x, y en EC)."
        ),
        rejects='{"keys": [{"kty": "RSA", "n": "…", "e": "AQAB", "d": "…"}]}',
        accepts='{"keys": [{"kty": "RSA", "n": "…", "e": "AQAB"}]}',
    ),
    Rule(
        code="V025",
        severity=E,
        title="Pas d'adresse de clés",
        message="Aucune adresse de clés publiques : {where}.",
        hint=(
            "Avec {alg}, les clés publiques doivent être publiées : jwks_uri dans la découverte, "
            "ou jwks_url dans le fichier."
        ),
        rejects="(ES256 sans jwks_uri)",
        accepts='"jwks_uri": "https://auth.a.fr/jwks"',
    ),
    Rule(
        code="V030",
        severity=E,
        title="Domaine sans preuve DNS",
        message="Le domaine {domain} ne porte pas l'enregistrement TXT de preuve « {record} ».",
        hint=(
            'Publiez dans la zone DNS du domaine : {domain}. IN TXT "{record}" — il prouve que ce '
            "FI est autorisé pour {domain}. Relancez ensuite la vérification."
        ),
        rejects="attached_email_domains: [a.fr] (sans TXT)",
        accepts='a.fr. IN TXT "proconnect-identity-provider-<uid>"',
    ),
    Rule(
        code="V031",
        severity=W,
        title="Domaine déjà rattaché sans preuve DNS",
        message=(
            "Le domaine {domain}, déjà rattaché, ne porte pas l'enregistrement TXT de preuve "
            "« {record} »."
        ),
        hint=(
            'Publiez dans la zone DNS du domaine : {domain}. IN TXT "{record}". Un nouveau '
            "rattachement sans preuve est refusé."
        ),
        rejects="(domaine rattaché avant la vérification, sans TXT)",
        accepts='a.fr. IN TXT "proconnect-identity-provider-<uid>"',
    ),
    Rule(
        code="V032",
        severity=W,
        title="Résolution DNS impossible : non vérifié",
        message=(
            "Résolution DNS de {name} impossible depuis le vérificateur ({problem}) : non vérifié."
        ),
        hint=(
            "Cela peut venir de notre résolveur : relancez plus tard ; à défaut, l'équipe de la "
            "fédération vérifiera à la revue."
        ),
        rejects="(résolveur injoignable)",
        accepts="(résolveur joignable)",
    ),
    Rule(
        code="V040",
        severity=W,
        title="Hôte de retour qui ne résout pas",
        message="L'hôte {host} ne résout pas (aucune adresse A ni AAAA).",
        hint=(
            "Vérifiez le nom : après la connexion, le navigateur des agents ne pourra pas revenir "
            "sur le service."
        ),
        rejects="redirect_uris: [https://inexistant.a.fr/cb]",
        accepts="redirect_uris: [https://service.a.fr/cb]",
    ),
    Rule(
        code="V041",
        severity=W,
        title="Hôte de production sans réponse DNS publique",
        message=(
            "L'hôte {host} n'a pas de réponse DNS publique : en production, les connexions "
            "échoueront."
        ),
        hint=(
            "Publiez l'enregistrement A ou AAAA de {host} dans le DNS public avant la mise en "
            "production."
        ),
        rejects="redirect_uris: [https://pas-encore-publie.a.fr/cb]",
        accepts="redirect_uris: [https://service.a.fr/cb]",
    ),
    # -- R: the lifecycle radar (fedreg watch), between changes -------------------------------
    Rule(
        code="R001",
        severity=W,
        title="Certificat de clé de signature bientôt expiré",
        message=(
            "Le certificat (x5c) de la clé « {kid} » du JWKS expire le {date} (dans {days} jours)."
        ),
        hint=(
            "Publiez dès maintenant la nouvelle clé dans le JWKS, à côté de l'actuelle, puis "
            "signez avec elle : la fédération lit le JWKS à chaque connexion."
        ),
        rejects="x5c dont notAfter est dans 20 jours",
        accepts="x5c valable plus de 30 jours",
    ),
    Rule(
        code="R002",
        severity=E,
        title="Certificat de clé de signature expiré ou sur le point de l'être",
        message=(
            "Le certificat (x5c) de la clé « {kid} » du JWKS expire le {date} "
            "({days} jours) : les connexions par ce FI vont échouer."
        ),
        hint=(
            "Publiez la nouvelle clé dans le JWKS et signez avec elle aujourd'hui ; "
            "prévenez la fédération ({support})."
        ),
        rejects="x5c dont notAfter est dans 5 jours",
        accepts="x5c valable plus de 30 jours",
    ),
    Rule(
        code="R003",
        severity=W,
        title="Clés du JWKS changées depuis le dernier passage",
        message="Le JWKS a changé depuis le {since} : {change}.",
        hint=(
            "Si ce changement n'est pas de votre fait (rotation prévue), vérifiez "
            "immédiatement qui a accès à votre fournisseur d'identité."
        ),
        rejects="une clé « kid » apparue ou disparue entre deux passages",
        accepts="les mêmes clés qu'au passage précédent",
    ),
    Rule(
        code="R010",
        severity=E,
        title="Preuve DNS absente depuis trop longtemps",
        message=(
            "La preuve DNS du domaine {domain} manque depuis le {since} (plus de {grace} "
            "jours) : tout changement des domaines de ce FI passe par la fédération."
        ),
        hint=(
            'Republiez dans la zone DNS : {domain}. IN TXT "{record}". Le prochain passage '
            "du radar rétablit le libre-service."
        ),
        rejects="enregistrement TXT de preuve retiré depuis 15 jours",
        accepts='{domain}. IN TXT "proconnect-identity-provider-<uid>"',
    ),
    Rule(
        code="R020",
        severity=E,
        title="Certificat TLS d'un hôte de retour bientôt expiré",
        message="Le certificat TLS de {host} expire le {date} (dans {days} jours).",
        hint=(
            "Renouvelez le certificat du serveur : expiré, le navigateur des agents refusera "
            "de revenir sur le service après la connexion."
        ),
        rejects="certificat de l'hôte de redirect_uris valable 5 jours",
        accepts="certificat valable plus de 14 jours",
    ),
    Rule(
        code="R021",
        severity=E,
        title="Certificat TLS d'un hôte de retour refusé",
        message="Le certificat TLS de {host} est refusé : {problem}.",
        hint="Installez un certificat valide, délivré par une autorité reconnue, pour {host}.",
        rejects="certificat auto-signé ou expiré",
        accepts="certificat délivré par une autorité reconnue",
    ),
    Rule(
        code="R030",
        severity=W,
        title="Secret client à renouveler bientôt",
        message=(
            "Le secret client a {age} jours (créé le {since}) ; la limite est de {limit} jours."
        ),
        hint=(
            "Planifiez la rotation : l'équipe de la fédération lance « fedreg secret rotate » "
            "et vous recevez le nouveau secret chiffré pour vos secret_recipients."
        ),
        rejects="secret créé il y a 710 jours (limite 730)",
        accepts="secret de moins de 700 jours",
    ),
    Rule(
        code="R031",
        severity=E,
        title="Secret client trop ancien",
        message=(
            "Le secret client a {age} jours (créé le {since}), au-delà de la limite de {limit} "
            "jours."
        ),
        hint=(
            "Demandez la rotation à la fédération ({support}) : elle lance « fedreg secret "
            "rotate » et vous recevez le nouveau secret chiffré pour vos secret_recipients."
        ),
        rejects="secret créé il y a 800 jours (limite 730)",
        accepts="secret renouvelé depuis moins de 730 jours",
    ),
    Rule(
        code="R040",
        severity=E,
        title="Propriétaire introuvable sur GitHub",
        message="Le propriétaire {owner} n'existe plus sur GitHub.",
        hint=(
            "Remplacez-le dans owners par une personne ou une équipe actuelle ; sans "
            "propriétaire, plus personne ne peut modifier ce fichier en libre-service."
        ),
        rejects='owners: ["@parti-du-ministere"]',
        accepts='owners: ["@org/equipe"]',
    ),
    Rule(
        code="R041",
        severity=W,
        title="Un seul propriétaire en production",
        message="Ce fournisseur de production n'a qu'un propriétaire ({owners}) et aucune équipe.",
        hint=(
            "Ajoutez un second propriétaire ou une équipe GitHub (@org/equipe), pour que le "
            "fichier reste modifiable si une personne quitte son poste."
        ),
        rejects='owners: ["@alice"]',
        accepts='owners: ["@alice", "@org/equipe"]',
    ),
    Rule(
        code="R042",
        severity=W,
        title="Domaine de contact sans messagerie",
        message="Le domaine {domain} du contact {contact} n'a ni enregistrement MX ni adresse.",
        hint="Remplacez ce contact par une adresse qui reçoit du courrier.",
        rejects="contacts: [equipe@domaine-disparu.fr]",
        accepts="contacts: [equipe@travail.gouv.fr]",
    ),
    # -- F: the modification form (fedreg edit, propose, serve) -------------------------------
    Rule(
        code="F001",
        severity=E,
        title="Environnement inconnu",
        message="Environnement « {value} » inconnu.",
        hint="Choisissez integration ou production.",
        rejects='{"environment": "preprod"}',
        accepts='{"environment": "integration"}',
    ),
    Rule(
        code="F002",
        severity=E,
        title="Réseau inconnu",
        message="Réseau « {value} » inconnu.",
        hint="Choisissez internet ou rie : les deux réseaux sont des déploiements distincts.",
        rejects='{"network": "intranet"}',
        accepts='{"network": "rie"}',
    ),
    Rule(
        code="F003",
        severity=E,
        title="Identifiant du fournisseur",
        message="{problem}.",
        hint=(
            "Indiquez le client_id reçu à la création de votre FS, ou l'uid de votre FI, "
            "et un seul des deux."
        ),
        rejects='{"client_id": ""}',
        accepts='{"client_id": "70b6815edee691937e7dafcc34a8fc78df0fe79d9ad030ed5dd1d199440b8e5d"}',
    ),
    Rule(
        code="F004",
        severity=E,
        title="Fournisseur introuvable",
        message=(
            "Aucun fournisseur d'identifiant « {identifier} » en {environment}, réseau {network}."
        ),
        hint=(
            "Vérifiez l'identifiant, l'environnement et le réseau : intégration et production, "
            "Internet et RIE sont quatre configurations distinctes."
        ),
        rejects=(
            '{"environment": "production", "network": "rie", "client_id": "(celui d\'internet)"}'
        ),
        accepts='{"environment": "production", "network": "internet", "client_id": "…"}',
    ),
    Rule(
        code="F005",
        severity=E,
        title="Joker refusé",
        message="La valeur « {value} » contient « * » : les jokers ne sont pas pris en compte.",
        hint="Donnez chaque URL complète, une par ligne.",
        rejects='{"redirect_uris": ["https://*.a.gouv.fr/callback"]}',
        accepts='{"redirect_uris": ["https://app.a.gouv.fr/callback"]}',
    ),
    Rule(
        code="F006",
        severity=E,
        title="Demande vide",
        message="Tous les champs à modifier sont vides : rien ne serait changé.",
        hint="Remplissez au moins une liste (un champ laissé vide reste inchangé).",
        rejects='{"redirect_uris": [], "post_logout_redirect_uris": []}',
        accepts='{"redirect_uris": ["https://a.gouv.fr/callback"]}',
    ),
    Rule(
        code="F007",
        severity=E,
        title="Champ sans objet",
        message="« {field} » ne s'applique pas à un {kind}.",
        hint="Les URL de redirection concernent un FS, les domaines e-mail un FI.",
        rejects='{"uid": "…", "redirect_uris": ["https://a.gouv.fr/cb"]}',
        accepts='{"uid": "…", "email_domains": ["a.gouv.fr"]}',
    ),
    Rule(
        code="F008",
        severity=E,
        title="Demandeur invalide",
        message="L'adresse e-mail du demandeur « {value} » est invalide.",
        hint="Indiquez votre adresse professionnelle, par exemple prenom.nom@ministere.gouv.fr.",
        rejects='{"requester": {"email": "prenom.nom"}}',
        accepts='{"requester": {"email": "prenom.nom@ministere.gouv.fr"}}',
    ),
    Rule(
        code="F009",
        severity=E,
        title="Valeur mal formée",
        message="« {field} » : {problem}.",
        hint=(
            "Chaque liste est une liste de textes d'au plus {max_length} caractères, au plus "
            "{max_items} valeurs."
        ),
        rejects='{"redirect_uris": "https://a.gouv.fr/cb"}',
        accepts='{"redirect_uris": ["https://a.gouv.fr/cb"]}',
    ),
    Rule(
        code="F010",
        severity=E,
        title="Champ inconnu",
        message="Le champ « {field} » n'existe pas dans le formulaire.",
        hint="Champs acceptés : {allowed}.",
        rejects='{"scopes": ["openid"]}',
        accepts='{"redirect_uris": ["https://a.gouv.fr/cb"]}',
    ),
    Rule(
        code="F011",
        severity=E,
        title="Aucun changement",
        message="Les valeurs demandées sont déjà celles du fichier {path} : rien ne change.",
        hint="Si vous attendez un déploiement, la demande précédente est peut-être encore ouverte.",
        rejects='{"redirect_uris": ["(les URL actuelles)"]}',
        accepts='{"redirect_uris": ["(les nouvelles URL)"]}',
    ),
    Rule(
        code="F012",
        severity=E,
        title="Fournisseur ambigu",
        message="Plusieurs fichiers portent l'identifiant « {identifier} » : {paths}.",
        hint="Le registre est incohérent : écrivez à {support}.",
        rejects="(deux fichiers, même client_id)",
        accepts="(un fichier par fournisseur)",
    ),
    Rule(
        code="F013",
        severity=E,
        title="Fichier non modifiable automatiquement",
        message=(
            "Le fichier {path} ne peut pas être modifié sans en réécrire d'autres lignes : "
            "{problem}."
        ),
        hint="Faites ce changement par une demande de fusion à la main, ou écrivez à {support}.",
        rejects="(un fichier à la mise en forme inhabituelle)",
        accepts="(un fichier du registre relu à l'identique)",
    ),
    Rule(
        code="F014",
        severity=E,
        title="Fichier absent de la branche principale",
        message="Le fichier {path} n'existe pas sur la branche {branch} du dépôt.",
        hint="Le fournisseur n'est pas encore fusionné : attendez la fusion de sa création.",
        rejects="(fournisseur seulement dans une branche locale)",
        accepts="(fournisseur fusionné dans main)",
    ),
    Rule(
        code="F015",
        severity=E,
        title="Demande trop longue",
        message="La demande dépasse ce que GitHub accepte ({problem}) : rien n'a été écrit.",
        hint="Raccourcissez les listes ou les textes saisis, ou envoyez plusieurs demandes.",
        rejects="(200 URL de 2 000 caractères)",
        accepts="(quelques URL)",
    ),
    # -- W: waivers (waivers.yaml) -----------------------------------------------------------
    Rule(
        code="W001",
        severity=E,
        title="Dérogation expirée",
        message="Cette dérogation a expiré le {expires} : le diagnostic qu'elle couvrait compte "
        "de nouveau.",
        hint="Corrigez le fichier concerné puis retirez la dérogation, ou demandez à l'équipe "
        "de la fédération de la prolonger (nouvelle date, nouvelle revue).",
        rejects=_WAIVER_EXAMPLE + '"2020-01-31"',
        accepts=_WAIVER_EXAMPLE + '"2027-06-30"',
    ),
    Rule(
        code="W002",
        severity=E,
        title="Dérogation trop longue",
        message="L'échéance {expires} est à plus d'un an : une dérogation dure au plus "
        "jusqu'au {latest}.",
        hint="Donnez une échéance d'un an au plus ; elle pourra être renouvelée après revue.",
        rejects=_WAIVER_EXAMPLE + '"2099-12-31"',
        accepts=_WAIVER_EXAMPLE + '"2027-06-30"',
    ),
    Rule(
        code="W003",
        severity=E,
        title="Code sans dérogation possible",
        message="Le code {code} ne peut pas faire l'objet d'une dérogation (policy.yaml, "
        "unwaivable_codes).",
        hint="Ce que ce code refuse (sécurité YAML, secret, valeur refusée par le cœur) doit "
        "être corrigé dans le fichier.",
        rejects="waivers:\n  - code: S005\n    file: registry/production/service-providers/"
        'demo.yaml\n    reason: secret provisoire\n    granted_by: "@agent-federation"\n'
        '    expires: "2027-06-30"',
        accepts="(le secret retiré du fichier)",
    ),
    Rule(
        code="W004",
        severity=W,
        title="Dérogation inutilisée",
        message="Cette dérogation ({code} pour {file}) ne couvre plus aucun diagnostic.",
        hint="Retirez-la de waivers.yaml : le fichier respecte désormais la règle (ou le "
        "chemin du fichier est mal écrit).",
        rejects="(une dérogation pour un fichier déjà corrigé)",
        accepts="(la dérogation retirée)",
    ),
    Rule(
        code="W005",
        severity=E,
        title="Code de dérogation inconnu",
        message="« {code} » n'est pas un code de diagnostic.",
        hint="Recopiez le code affiché par fedreg validate (« fedreg rules » les liste tous).",
        rejects="waivers:\n  - code: N999",
        accepts="waivers:\n  - code: N007",
    ),
]

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in _RULES}

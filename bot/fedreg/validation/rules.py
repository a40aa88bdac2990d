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


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    message: str
    hint: str
    rejects: str
    accepts: str
    retired: str = ""  # why a retired code is no longer emitted (it stays in the catalogue)


_RULES = [
    # -- P: reading the file ------------------------------------------------------------------
    Rule(
        "P001",
        E,
        "YAML invalide",
        "YAML invalide : {problem}.",
        "Vérifiez l'indentation (des espaces, jamais de tabulations), les deux-points et les "
        "guillemets autour de cette position.",
        "redirect_uris:\n  - https://a.fr/cb\n - https://a.fr/cb2",
        "redirect_uris:\n  - https://a.fr/cb\n  - https://a.fr/cb2",
    ),
    Rule(
        "P002",
        E,
        "Clé en double",
        "La clé « {key} » apparaît deux fois (première occurrence ligne {first_line}).",
        "Gardez une seule occurrence : YAML ne retiendrait que la dernière, sans rien dire.",
        "network: internet\nnetwork: rie",
        "network: rie",
    ),
    Rule(
        "P003",
        E,
        "Étiquette YAML",
        "Les étiquettes YAML ({tag}) ne sont pas acceptées.",
        "Retirez l'étiquette ; pour qu'une valeur reste du texte, mettez-la entre guillemets.",
        "name: !!str Mon service",
        'name: "Mon service"',
    ),
    Rule(
        "P004",
        E,
        "Ancre ou alias YAML",
        "Les ancres et alias YAML (« & » et « * ») ne sont pas acceptés.",
        "Recopiez la valeur en toutes lettres : chaque fichier doit se lire seul, sans renvoi.",
        "redirect_uris: &uris\n  - https://a.fr/cb\npost_logout_redirect_uris: *uris",
        "redirect_uris:\n  - https://a.fr/cb\npost_logout_redirect_uris:\n  - https://a.fr/cb",
    ),
    Rule(
        "P005",
        E,
        "Le fichier n'est pas un objet",
        "Le fichier doit contenir des paires « clé: valeur », pas {found}.",
        "Partez du modèle écrit par « fedreg new » ou d'un fichier existant du registre.",
        "- https://a.fr/cb",
        "kind: ServiceProvider\nname: Mon service\n...",
    ),
    Rule(
        "P006",
        E,
        "Encodage autre qu'UTF-8",
        "Le fichier n'est pas encodé en UTF-8 (octet {byte} invalide).",
        "Enregistrez le fichier en UTF-8 depuis votre éditeur (souvent : « Enregistrer sous », "
        "encodage UTF-8).",
        "name: Minist\\xe8re (Latin-1)",
        "name: Ministère (UTF-8)",
    ),
    Rule(
        "P007",
        E,
        "Fichier trop gros",
        "Le fichier fait {size} octets, au-delà de la limite de {limit} octets.",
        "Un fichier décrit un seul fournisseur ; un fichier de cette taille n'est pas un "
        "fichier de configuration.",
        "(plus de 64 Kio)",
        "(un fournisseur par fichier)",
    ),
    Rule(
        "P008",
        E,
        "Plusieurs documents YAML",
        "Le fichier contient plusieurs documents YAML (séparés par « --- »).",
        "Un fichier par fournisseur : placez chaque document dans son propre fichier.",
        "kind: ServiceProvider\n---\nkind: ServiceProvider",
        "kind: ServiceProvider",
    ),
    Rule(
        "P009",
        E,
        "Clé qui n'est pas un nom de champ",
        "La clé {key} n'est pas un nom de champ.",
        "Les clés sont des noms de champ en texte simple, comme « redirect_uris ».",
        "? [a, b]\n: valeur",
        "redirect_uris: []",
    ),
    # -- S: shape of the document -------------------------------------------------------------
    Rule(
        "S001",
        E,
        "Clé inconnue",
        "Clé inconnue : « {key} ».",
        "{detail}",
        "redirect_uri:\n  - https://a.fr/cb",
        "redirect_uris:\n  - https://a.fr/cb",
    ),
    Rule(
        "S002",
        E,
        "Champ obligatoire manquant",
        "Champ obligatoire manquant : « {key} ».",
        "Ajoutez « {key} » : {detail}",
        "kind: ServiceProvider\nname: Mon service\n(sans network)",
        "network: internet",
    ),
    Rule(
        "S003",
        E,
        "Type de valeur incorrect",
        "« {field} » doit être {expected}, pas {found}.",
        "{detail}",
        "active: oui",
        "active: true",
    ),
    Rule(
        "S004",
        E,
        "Valeur non acceptée",
        "« {field} » : {value} n'est pas une valeur acceptée.",
        "Valeurs acceptées : {allowed}.",
        "network: intranet",
        "network: rie",
    ),
    Rule(
        "S005",
        E,
        "Secret dans le dépôt",
        "Un secret (« {key} ») n'a rien à faire dans ce fichier : tout ce qui est dans git "
        "est lisible par tous.",
        "Retirez cette clé et considérez ce secret comme divulgué : faites-le renouveler. Le "
        "secret d'un FS est généré au déploiement et remis chiffré à ses destinataires ; un FI "
        "transmet le sien chiffré pour la fédération, jamais en clair.",
        "client_secret: 3f1c...",
        "(aucune clé de secret)",
    ),
    Rule(
        "S006",
        E,
        "Liste vide",
        "« {field} » ne peut pas être vide.",
        "{detail}",
        "redirect_uris: []",
        "redirect_uris:\n  - https://a.fr/cb",
    ),
    Rule(
        "S007",
        E,
        "Longueur incorrecte",
        "« {field} » doit faire entre {min} et {max} caractères (ici {length}).",
        "Raccourcissez ou complétez la valeur.",
        'name: ""',
        "name: Mon service",
    ),
    Rule(
        "S008",
        W,
        "Adresse de support absente",
        "support_email est absent : les pages d'erreur n'indiqueront aucun support pour ce FI.",
        "Ajoutez support_email : l'adresse que les agents écrivent quand la connexion par ce FI "
        "échoue.",
        "(sans support_email)",
        "support_email: support@ministere.gouv.fr",
    ),
    # -- I: identifiers and contacts ----------------------------------------------------------
    Rule(
        "I001",
        E,
        "client_id mal formé",
        "client_id « {value} » : {expected}.",
        "Le client_id d'un FS est attribué par la fédération (« fedreg new » en génère un) ; "
        "ne le modifiez pas, votre intégration cesserait de fonctionner.",
        "client_id: mon-appli",
        'client_id: "6925fb8143c76eded44d32b40c0cb1006065f7f003de52712b78985704f39950"',
    ),
    Rule(
        "I002",
        E,
        "uid mal formé",
        "uid « {value} » : un UUID est attendu (8-4-4-4-12 caractères hexadécimaux).",
        "L'uid d'un FI est attribué par la fédération (« fedreg new » en génère un).",
        "uid: fia1",
        "uid: 9c716f61-b8a1-435c-a407-ef4d677ec270",
    ),
    Rule(
        "I003",
        E,
        "SIRET invalide",
        "SIRET « {value} » invalide : {reason}.",
        "Un SIRET compte 14 chiffres, s'écrit entre guillemets et respecte la clé de Luhn ; "
        "vérifiez-le sur annuaire-entreprises.data.gouv.fr.",
        'siret: "13002526500012"',
        'siret: "13002526500013"',
    ),
    Rule(
        "I004",
        E,
        "Caractère non accepté dans un nom",
        "« {field} » contient un caractère non accepté : « {char} ».",
        "Caractères acceptés : lettres (accentuées comprises), chiffres, espaces et "
        ", . : ! ( ) _ ' - & /",
        "name: Mon service <test>",
        "name: Mon service (test)",
    ),
    Rule(
        "I005",
        E,
        "Propriétaire mal écrit",
        "Propriétaire « {value} » invalide : un compte GitHub « @identifiant » ou une équipe "
        "« @organisation/équipe » est attendu.",
        "Les propriétaires sont ceux qui pourront modifier ce fichier : indiquez des comptes "
        "ou équipes GitHub précédés de « @ ».",
        "owners:\n  - jean.dupont@exemple.fr",
        'owners:\n  - "@jdupont"',
    ),
    Rule(
        "I006",
        E,
        "Adresse e-mail invalide",
        "Adresse e-mail « {value} » invalide : {reason}.",
        "Indiquez une adresse complète, comme equipe-technique@ministere.gouv.fr.",
        "contacts:\n  - equipe.ministere.gouv.fr",
        "contacts:\n  - equipe@ministere.gouv.fr",
    ),
    Rule(
        "I007",
        W,
        "Entrée en double",
        "« {value} » figure deux fois dans « {list} ».",
        "Retirez le doublon.",
        "scopes: [openid, email, email]",
        "scopes: [openid, email]",
    ),
    Rule(
        "I008",
        E,
        "Clé publique age invalide",
        "« {value} » n'est pas une clé publique age (age1… en 62 caractères).",
        "Générez une paire de clés avec « age-keygen » et indiquez la ligne « public key » ; "
        "gardez la clé privée pour vous.",
        "secret_recipients:\n  - ssh-rsa AAAA…",
        "secret_recipients:\n  - age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
    ),
    Rule(
        "I009",
        E,
        "Secret de FI non chiffré",
        "client_secret_age doit être un message chiffré avec age, en texte armuré "
        "(-----BEGIN AGE ENCRYPTED FILE-----).",
        "Chiffrez le secret avec la clé publique de la fédération : age -a -r {recipient} ; "
        "ne mettez jamais le secret en clair dans le dépôt.",
        "client_secret_age: mon-secret",
        "client_secret_age: |\n  -----BEGIN AGE ENCRYPTED FILE-----\n  …",
    ),
    Rule(
        "I010",
        E,
        "Nouveau FS sans destinataire de son secret",
        "Ce FS est nouveau dans le déploiement {deployment} mais n'a pas de "
        "secret_recipients : le déploiement le refuserait, et retiendrait avec lui tous les "
        "autres changements de {deployment}.",
        "Créez une clé age pour votre équipe (age-keygen -o ma-cle.txt) et ajoutez sa clé "
        "publique : secret_recipients: [age1…]. Le secret généré au déploiement vous sera "
        "remis chiffré pour elle.",
        "(nouveau FS)\naccepts_private_sector: false",
        "secret_recipients:\n  - age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
    ),
    Rule(
        "I011",
        E,
        "Nouveau FI sans son secret chiffré",
        "Ce FI est nouveau dans le déploiement {deployment} mais n'a pas de "
        "client_secret_age : le déploiement le refuserait, et retiendrait avec lui tous les "
        "autres changements de {deployment}.",
        "Chiffrez le secret client que votre FI a créé pour la fédération avec la clé de "
        "l'environnement {environment} (age -a -r {recipient}), collez le résultat sous "
        "client_secret_age: | et déclarez client_secret_age_recipient: {recipient}.",
        "(nouveau FI)\nmfa_compliant: true",
        "client_secret_age: |\n  -----BEGIN AGE ENCRYPTED FILE-----\n  …",
    ),
    Rule(
        "I012",
        E,
        "Valeur d'exemple en production",
        "« {value} » est une valeur d'exemple écrite par « fedreg new » : elle ne peut pas "
        "aller en production.",
        "Remplacez-la par la vraie valeur de votre service (les valeurs d'exemple contiennent "
        "« a-remplacer » ; la plage RIE d'exemple est {range}).",
        "redirect_uris:\n  - https://mon-service.a-remplacer.example.fr/oidc-callback",
        "redirect_uris:\n  - https://mon-service.gouv.fr/oidc-callback",
    ),
    Rule(
        "I013",
        W,
        "Valeur d'exemple en intégration",
        "« {value} » est une valeur d'exemple écrite par « fedreg new ».",
        "Remplacez-la par la vraie valeur de votre service avant de l'utiliser (les valeurs "
        "d'exemple contiennent « a-remplacer » ; la plage RIE d'exemple est {range}) ; en "
        "production, c'est une erreur.",
        "redirect_uris:\n  - https://mon-service.a-remplacer.example.fr/oidc-callback",
        "redirect_uris:\n  - https://mon-service.gouv.fr/oidc-callback",
    ),
    Rule(
        "I014",
        E,
        "Clé du secret de FI non déclarée",
        "client_secret_age ne dit pas pour quelle clé il est chiffré : ajoutez "
        "client_secret_age_recipient.",
        "Chiffrez le secret pour la clé de la fédération en {environment} (age -a -r "
        "{recipient}) et déclarez-la : client_secret_age_recipient: {recipient}.",
        "client_secret_age: |\n  -----BEGIN AGE ENCRYPTED FILE-----\n  …\n"
        "(sans client_secret_age_recipient)",
        "client_secret_age_recipient: age1…\nclient_secret_age: |\n  -----BEGIN AGE …",
    ),
    Rule(
        "I015",
        E,
        "Secret de FI chiffré pour la clé d'un autre environnement",
        "client_secret_age_recipient « {value} » n'est pas la clé de la fédération en "
        "{environment}{detail}.",
        "Chaque environnement a sa propre clé, et un déploiement ne détient que la sienne : "
        "chiffrez à nouveau le secret avec age -a -r {recipient} et déclarez cette clé.",
        "(en production)\nclient_secret_age_recipient: <clé d'intégration>",
        "(en production)\nclient_secret_age_recipient: <clé de production>",
    ),
    Rule(
        "I016",
        E,
        "Secret de FI chiffré pour plusieurs clés",
        "client_secret_age {problem}.",
        "Chiffrez le secret pour une seule clé, celle de la fédération en {environment} "
        "(age -a -r {recipient}) : un message chiffré pour plusieurs clés s'ouvre avec "
        "chacune, y compris celle d'un autre environnement.",
        "age -a -r <clé d'intégration> -r <clé de production>",
        "age -a -r <clé de production>",
    ),
    # -- L: where the file lives --------------------------------------------------------------
    Rule(
        "L001",
        E,
        "Fichier hors de l'arborescence du registre",
        "Ce fichier n'est pas à un emplacement du registre : {reason}.",
        "Chaque fournisseur est un fichier registry/<integration|production>/"
        "<service-providers|identity-providers>/<nom>.yaml.",
        "registry/prod/service-providers/mon-service.yml",
        "registry/production/service-providers/mon-service.yaml",
    ),
    Rule(
        "L002",
        E,
        "Nom de fichier invalide",
        "Nom de fichier « {slug} » invalide.",
        "Le nom (sans .yaml) fait de 2 à 63 caractères : minuscules, chiffres et tirets, "
        "en commençant par une lettre ou un chiffre.",
        "Mon_Service.yaml",
        "mon-service.yaml",
    ),
    Rule(
        "L003",
        E,
        "Type de fournisseur et dossier en désaccord",
        "Ce fichier décrit un {kind} mais se trouve dans le dossier {folder}/.",
        "Les FS (ServiceProvider) vont dans service-providers/, les FI (IdentityProvider) "
        "dans identity-providers/.",
        "registry/integration/identity-providers/x.yaml avec kind: ServiceProvider",
        "registry/integration/service-providers/x.yaml avec kind: ServiceProvider",
    ),
    Rule(
        "L004",
        E,
        "Entrée du registre qui n'est pas un fichier ordinaire",
        "Cette entrée est {what} : seuls les fichiers ordinaires font partie du registre.",
        "Remplacez-la par un fichier YAML ordinaire (copiez le contenu plutôt que de lier) ; "
        "liens symboliques et sous-modules git ne sont jamais suivis.",
        "registry/production/service-providers/x.yaml → lien vers ../../integration/…",
        "registry/production/service-providers/x.yaml, fichier ordinaire",
    ),
    # -- U: URLs ------------------------------------------------------------------------------
    Rule(
        "U001",
        E,
        "URL non absolue",
        "« {value} » n'est pas une URL absolue (schéma://hôte/chemin).",
        "Écrivez l'URL complète, avec https:// et le nom d'hôte.",
        "- /oidc-callback",
        "- https://mon-service.gouv.fr/oidc-callback",
    ),
    Rule(
        "U002",
        E,
        "Espace ou caractère de contrôle dans une URL",
        "L'URL « {shown} » contient {char} en position {position}.",
        "Retirez ce caractère (souvent copié-collé avec l'URL, et invisible dans l'éditeur) ; "
        "une espace voulue s'écrit %20.",
        '- "https://a.fr/cb "',
        "- https://a.fr/cb",
    ),
    Rule(
        "U003",
        E,
        "Identifiants dans une URL",
        "L'URL « {value} » contient un identifiant avant l'hôte (« …@ »).",
        "Retirez la partie « utilisateur:mot-de-passe@ » : une URL de redirection n'en "
        "contient jamais.",
        "- https://user:pw@a.fr/cb",
        "- https://a.fr/cb",
    ),
    Rule(
        "U004",
        E,
        "Fragment dans une URL",
        "L'URL « {value} » contient un fragment (« #… »), interdit par OpenID Connect.",
        "Retirez la partie qui commence par « # ».",
        "- https://a.fr/cb#login",
        "- https://a.fr/cb",
    ),
    Rule(
        "U005",
        E,
        "Joker dans une URL",
        "L'URL « {value} » contient « * » : les jokers ne sont pas pris en charge, la "
        "correspondance est exacte.",
        "Listez chaque URL complète, une par ligne.",
        "- https://*.a.fr/cb",
        "- https://app1.a.fr/cb\n- https://app2.a.fr/cb",
    ),
    Rule(
        "U006",
        E,
        "URL trop longue",
        "L'URL fait {length} caractères, au-delà de {limit}.",
        "Raccourcissez l'URL (retirez les paramètres inutiles).",
        "- https://a.fr/cb?(3000 caractères)",
        "- https://a.fr/cb",
    ),
    Rule(
        "U007",
        E,
        "URL en double",
        "L'URL « {value} » figure deux fois dans « {list} ».",
        "Retirez le doublon.",
        "- https://a.fr/cb\n- https://a.fr/cb",
        "- https://a.fr/cb",
    ),
    Rule(
        "U008",
        W,
        "URLs qui ne diffèrent que par la barre oblique finale",
        "« {value} » et « {other} » ne diffèrent que par la barre oblique finale.",
        "La correspondance est exacte (erreur Y030031 en cas d'écart) : gardez seulement "
        "celle que votre application envoie réellement.",
        "- https://a.fr/cb\n- https://a.fr/cb/",
        "- https://a.fr/cb",
    ),
    Rule(
        "U009",
        E,
        "URL qui pointe vers la fédération",
        "L'URL « {value} » pointe vers la fédération elle-même ({host}).",
        "Indiquez les URL de votre application, vers lesquelles ProConnect renvoie l'utilisateur.",
        "- https://auth.agentconnect.gouv.fr/cb",
        "- https://mon-service.gouv.fr/cb",
    ),
    Rule(
        "U010",
        W,
        "URL de déconnexion sur un hôte inconnu",
        "L'hôte « {host} » de cette URL de déconnexion n'est celui d'aucune redirect_uri.",
        "Vérifiez qu'il s'agit bien de votre application ; sinon corrigez l'URL.",
        "redirect_uris: [https://a.fr/cb]\npost_logout_redirect_uris: [https://b.fr/]",
        "redirect_uris: [https://a.fr/cb]\npost_logout_redirect_uris: [https://a.fr/]",
    ),
    Rule(
        "U011",
        E,
        "Schéma d'URL non accepté",
        "L'URL « {value} » utilise « {scheme} », non accepté en {environment}.",
        "{detail}",
        "- http://mon-service.gouv.fr/cb",
        "- https://mon-service.gouv.fr/cb",
    ),
    Rule(
        "U012",
        E,
        "Hôte non public en production",
        "« {host} » n'est pas un nom de domaine public ({reason}).",
        "En production, ProConnect ne redirige que vers un nom de domaine public en https "
        "(erreur Y04A586 sinon). Les adresses locales restent possibles en intégration.",
        "- https://localhost:3000/cb",
        "- https://mon-service.gouv.fr/cb",
    ),
    Rule(
        "U013",
        E,
        "Nom d'hôte invalide",
        "L'hôte « {host} » de l'URL n'est pas un nom de domaine valide.",
        "Un nom d'hôte est fait de lettres, chiffres, tirets et points (ex. : "
        "mon-service.gouv.fr).",
        "- https://mon_service..fr/cb",
        "- https://mon-service.fr/cb",
    ),
    Rule(
        "U014",
        E,
        "URL de découverte mal formée",
        "discovery_url doit se terminer par /.well-known/openid-configuration.",
        "Indiquez l'URL publique du document de découverte OpenID de votre FI.",
        "discovery_url: https://fi.gouv.fr/",
        "discovery_url: https://fi.gouv.fr/.well-known/openid-configuration",
    ),
    Rule(
        "U015",
        E,
        "Points d'accès du FI incomplets",
        "{problem}",
        "Donnez soit discovery_url, soit, sans découverte, issuer, authorization_url, "
        "token_url et userinfo_url (jwks_url et end_session_url en option).",
        "discovery_url: …\nissuer: …",
        "discovery_url: https://fi.gouv.fr/.well-known/openid-configuration",
    ),
    Rule(
        "U016",
        E,
        "Schéma d'URL en majuscules",
        "L'URL « {value} » écrit son schéma « {scheme} » avec des majuscules : le cœur de la "
        "fédération ne reconnaît que http:// et https:// en minuscules et écarterait ce "
        "fournisseur.",
        "Écrivez le schéma en minuscules : {fixed}",
        "- HTTPS://mon-service.gouv.fr/cb",
        "- https://mon-service.gouv.fr/cb",
    ),
    Rule(
        "U017",
        E,
        "URL trop courte pour le cœur",
        "L'URL « {value} » est refusée par le cœur de la fédération (^https?://[^/].+$) : il "
        "faut au moins deux caractères après « :// ».",
        "Indiquez le nom d'hôte complet, comme https://mon-service.gouv.fr/callback.",
        "- https://a",
        "- https://mon-service.gouv.fr/cb",
    ),
    # -- N: IP ranges -------------------------------------------------------------------------
    Rule(
        "N001",
        E,
        "Adresse ou plage IP invalide",
        "« {value} » n'est pas une adresse IP ni une plage CIDR valide.",
        "Exemples : 145.242.17.10, 145.242.17.0/28, 2001:67c:2e8::/48.",
        "- 145.242.17",
        "- 145.242.17.0/24",
    ),
    Rule(
        "N002",
        E,
        "Plage écrite avec des bits d'hôte",
        "« {value} » n'est pas l'adresse de début de la plage : le réseau s'écrit {network}.",
        "Écrivez {network}, ou {address} seule si vous ne visiez que cette adresse.",
        "- 145.242.17.10/24",
        "- 145.242.17.0/24",
    ),
    Rule(
        "N003",
        E,
        "Plage qui couvre tout",
        "« {value} » ouvrirait l'accès à toutes les adresses.",
        "Listez seulement les adresses de vos serveurs.",
        "- 0.0.0.0/0",
        "- 145.242.17.0/28",
    ),
    Rule(
        "N004",
        E,
        "Plage trop large",
        "La plage « {value} » est plus large que /{limit}, le maximum accepté.",
        "Listez les adresses ou sous-réseaux réellement utilisés par vos serveurs.",
        "- 145.242.0.0/16",
        "- 145.242.17.0/24",
    ),
    Rule(
        "N005",
        E,
        "Adresse non routable sur Internet",
        "« {value} » n'est pas une adresse publique d'Internet ({reason}).",
        "Sur le réseau internet, indiquez les adresses publiques de sortie de vos serveurs.",
        "- 192.168.1.0/24",
        "- 145.242.17.0/28",
    ),
    Rule(
        "N006",
        E,
        "Adresse hors du RIE",
        "« {value} » n'est pas dans l'espace d'adresses du RIE ({rie}).",
        "Sur le RIE, indiquez l'adresse avec laquelle vos serveurs appellent la fédération "
        "sur le RIE ; votre équipe réseau la connaît.",
        "- 145.242.17.0/28",
        "- 100.67.22.0/28",
    ),
    Rule(
        "N007",
        W,
        "Plages qui se chevauchent",
        "« {value} » chevauche « {other} ».",
        "Gardez la plus large des deux, ou retirez le doublon.",
        "- 100.67.22.0/24\n- 100.67.22.16/28",
        "- 100.67.22.0/24",
    ),
    Rule(
        "N008",
        E,
        "Plages IP manquantes",
        "ip_ranges est obligatoire ici : {reason}.",
        "Indiquez les adresses avec lesquelles vos serveurs appellent la fédération (token, "
        "userinfo) : elles servent à ouvrir les flux du pare-feu du RIE.",
        "network: rie\n(sans ip_ranges)",
        "network: rie\nip_ranges:\n  - 100.67.22.0/28",
    ),
    Rule(
        "N009",
        E,
        "Trop d'adresses ouvertes par le fichier",
        "Les plages de ip_ranges ouvrent {total} au total, au-delà de la limite de {limit} "
        "par fichier.",
        "Listez seulement les adresses des serveurs qui appellent la fédération ; une "
        "ouverture plus large se demande à l'équipe de la fédération ({key} dans "
        "policy.yaml).",
        "ip_ranges:\n  - 100.64.0.0/24\n  - 100.64.1.0/24\n  - … (3 295 blocs /24)",
        "ip_ranges:\n  - 100.67.22.0/28",
    ),
    # -- D: e-mail domains --------------------------------------------------------------------
    Rule(
        "D001",
        E,
        "Domaine invalide",
        "« {value} » n'est pas un nom de domaine accepté : {reason}.",
        "{detail}",
        "- Ministere.GOUV.fr",
        "- ministere.gouv.fr",
    ),
    Rule(
        "D002",
        E,
        "Suffixe public",
        "« {value} » {reason}.",
        "Indiquez le domaine de l'organisation elle-même (ex. : ministere.gouv.fr, pas gouv.fr).",
        "- gouv.fr",
        "- ministere.gouv.fr",
    ),
    Rule(
        "D003",
        E,
        "Messagerie grand public",
        "« {value} » est une messagerie grand public : ses utilisateurs ne sont pas des agents "
        "d'une organisation.",
        "Un FI ne se rattache que les domaines de son organisation.",
        "- gmail.com",
        "- ministere.gouv.fr",
    ),
    Rule(
        "D004",
        E,
        "Domaine déjà rattaché à un autre FI",
        "Le domaine « {value} » est déjà rattaché au FI « {other} » ({other_path}) dans ce "
        "même déploiement.",
        "Un domaine n'est routé que vers un seul FI : voyez avec l'équipe de la fédération "
        "lequel doit le garder.",
        "(attached_email_domains: [ministere.gouv.fr] dans deux FI)",
        "(dans un seul FI)",
        retired="Retiré : le cœur accepte un domaine rattaché à plusieurs FI (il propose "
        "alors aux agents de choisir). Voir D006 (avertissement) et D007 (doublon dans un même "
        "FI).",
    ),
    Rule(
        "D005",
        W,
        "Domaine en double",
        "« {value} » figure plusieurs fois parmi les domaines de ce FI.",
        "Un domaine est soit rattaché (attached_email_domains), soit seulement accepté "
        "(extra_accepted_email_domains), une seule fois.",
        "attached_email_domains: [a.fr]\nextra_accepted_email_domains: [a.fr]",
        "attached_email_domains: [a.fr]",
    ),
    Rule(
        "D006",
        W,
        "Domaine rattaché à plusieurs FI",
        "Le domaine « {value} » est aussi rattaché à {others} dans ce déploiement : les agents "
        "de ce domaine devront choisir leur fournisseur d'identité.",
        "C'est possible, le cœur leur propose ce choix ; rattacher un domaine déjà tenu par un "
        "autre FI demande la revue de l'équipe de la fédération. Sinon, retirez-le d'un des FI.",
        "(attached_email_domains: [ministere.gouv.fr] dans deux FI)",
        "(dans un seul FI)",
    ),
    Rule(
        "D007",
        E,
        "Domaine rattaché deux fois au même FI",
        "« {value} » figure deux fois dans attached_email_domains.",
        "Retirez le doublon.",
        "attached_email_domains:\n  - a.fr\n  - a.fr",
        "attached_email_domains:\n  - a.fr",
    ),
    Rule(
        "D008",
        E,
        "Domaine refusé par l'administration de la fédération",
        "« {value} » est refusé par l'application d'administration de la fédération : "
        "l'extension d'un domaine rattaché doit faire de 2 à 10 lettres.",
        "Vérifiez le domaine ; s'il est juste, voyez avec l'équipe de la fédération : le "
        "cœur ne pourrait pas le charger tel quel.",
        "- mairie.construction",
        "- mairie.fr",
    ),
    # -- O: OIDC settings ---------------------------------------------------------------------
    Rule(
        "O001",
        E,
        "Scope openid manquant",
        "scopes doit contenir « openid ».",
        "Ajoutez openid à la liste : c'est le seul scope obligatoire.",
        "scopes: [email]",
        "scopes: [openid, email]",
    ),
    Rule(
        "O002",
        E,
        "Scope inconnu",
        "Scope inconnu de la fédération : « {value} ».",
        "{detail}",
        "scopes: [openid, mail]",
        "scopes: [openid, email]",
    ),
    Rule(
        "O003",
        E,
        "Scope profile non pris en charge",
        "ProConnect ne prend pas en charge le scope « profile ».",
        "Demandez à la place les données utiles : given_name, usual_name, email, uid, "
        "siret, phone, organizational_unit, belonging_population.",
        "scopes: [openid, profile]",
        "scopes: [openid, given_name, usual_name, email]",
    ),
    Rule(
        "O004",
        W,
        "Signature HS256 déconseillée",
        "« {field} » vaut HS256, géré mais non recommandé.",
        "Préférez ES256 ou RS256 (signature asymétrique).",
        "id_token_signed_response_alg: HS256",
        "id_token_signed_response_alg: ES256",
    ),
    Rule(
        "O005",
        W,
        "Userinfo non signé",
        "userinfo_signed_response_alg est vide : userinfo sera renvoyé en JSON non signé, "
        "ce qui n'est pas recommandé.",
        "Indiquez ES256 ou RS256.",
        "userinfo_signed_response_alg: null",
        "userinfo_signed_response_alg: ES256",
    ),
    Rule(
        "O006",
        E,
        "Chiffrement non accepté",
        "« {field} » : « {value} » n'est pas une valeur acceptée.",
        "Valeurs acceptées : {allowed}.",
        "id_token_encrypted_response_enc: A128GCM",
        "id_token_encrypted_response_enc: A256GCM",
    ),
    Rule(
        "O007",
        E,
        "Chiffrement incomplet",
        "« {present} » est renseigné sans « {missing} ».",
        "{detail}",
        "userinfo_encrypted_response_enc: A256GCM\n(sans userinfo_encrypted_response_alg)",
        "userinfo_encrypted_response_alg: RSA-OAEP\nuserinfo_encrypted_response_enc: A256GCM",
    ),
    # -- X: across files ----------------------------------------------------------------------
    Rule(
        "X001",
        E,
        "client_id déjà utilisé",
        "Le client_id est déjà utilisé par {other_path} ({environment}, réseau {network}).",
        "Chaque FS a son propre client_id par déploiement : générez-en un avec « fedreg new ».",
        "(même client_id dans deux fichiers)",
        "(un client_id par fichier)",
    ),
    Rule(
        "X002",
        E,
        "uid déjà utilisé",
        "L'uid est déjà utilisé par {other_path} ({environment}).",
        "Chaque FI a son propre uid : générez-en un avec « fedreg new ».",
        "(même uid dans deux fichiers)",
        "(un uid par fichier)",
    ),
    Rule(
        "X003",
        E,
        "Nom déjà utilisé",
        "Le nom « {value} » est déjà celui de {other_path} ({environment}, réseau {network}).",
        "Les utilisateurs voient ce nom : donnez à chaque fournisseur un nom distinct.",
        "(même name dans deux fichiers)",
        "(un nom par fournisseur)",
    ),
    # -- Q: the policy file -------------------------------------------------------------------
    Rule(
        "Q001",
        E,
        "Valeur de politique invalide",
        "policy.yaml : {problem}.",
        "La politique est relue par l'équipe de la fédération ; corrigez la valeur indiquée.",
        "rie_address_space: [100.64.0.0/33]",
        "rie_address_space: [100.64.0.0/10]",
    ),
    Rule(
        "Q007",
        E,
        "Clé de politique remplacée",
        "policy.yaml : « federation_age_recipient » n'existe plus : chaque environnement a sa "
        "propre clé age.",
        "Écrivez federation_age_recipients: avec une clé integration: et une clé production: "
        "différentes, pour que les déploiements d'intégration ne puissent pas ouvrir les "
        "secrets de production.",
        "federation_age_recipient: age1…",
        "federation_age_recipients:\n  integration: age1…\n  production: age1…",
    ),
    Rule(
        "Q008",
        E,
        "Clés age des environnements",
        "policy.yaml : federation_age_recipients : {problem}.",
        "Une clé age publique (age1…) par environnement, integration et production, "
        "différentes l'une de l'autre.",
        "federation_age_recipients:\n  integration: age1aaa…\n  production: age1aaa…",
        "federation_age_recipients:\n  integration: age1aaa…\n  production: age1bbb…",
    ),
    Rule(
        "Q009",
        E,
        "Scope sensible inconnu",
        "policy.yaml : « {value} » (sensitive_scopes) n'est pas un scope connu : il ne "
        "protégerait rien.",
        "Écrivez le nom exact du scope, comme ProConnect le nomme ({known}).",
        "sensitive_scopes: [chorus_dt]",
        "sensitive_scopes: [chorusdt]",
    ),
    # -- V: live checks (fedreg check-live) --------------------------------------------------
    Rule(
        "V001",
        E,
        "Document refusé par le serveur",
        "{document} : le serveur a répondu {status} à {url}.",
        "Le document doit être servi avec le statut 200, publiquement et sans authentification.",
        "GET …/.well-known/openid-configuration → 404",
        "GET …/.well-known/openid-configuration → 200",
    ),
    Rule(
        "V002",
        E,
        "Redirection refusée",
        "{document} : {url} redirige vers {location} ; les redirections ne sont pas suivies.",
        "Indiquez directement l'adresse finale (dans le fichier, ou dans la découverte pour "
        "jwks_uri) : la vérification ne suit aucune redirection.",
        "GET https://auth.a.fr/.well-known/openid-configuration → 302",
        "GET https://auth.a.fr/.well-known/openid-configuration → 200",
    ),
    Rule(
        "V003",
        E,
        "Réponse trop grosse",
        "{document} : la réponse de {url} dépasse {limit} octets.",
        "Un document de découverte ou un JWKS tient en quelques kilo-octets : vérifiez "
        "l'adresse publiée.",
        "(réponse de plusieurs mégaoctets)",
        "(quelques kilo-octets de JSON)",
    ),
    Rule(
        "V004",
        E,
        "Réponse qui n'est pas un objet JSON",
        "{document} : {url} ne renvoie pas un objet JSON ({problem}).",
        "Servez le document en JSON (application/json), avec un objet à la racine.",
        "<html>…</html>",
        '{"issuer": "https://auth.a.fr", …}',
    ),
    Rule(
        "V005",
        E,
        "Certificat TLS refusé",
        "{document} : le certificat présenté par {host} est refusé ({problem}).",
        "Le serveur doit présenter un certificat valide pour ce nom, émis par une autorité "
        "reconnue, avec sa chaîne complète : la fédération le vérifie à chaque connexion.",
        "(certificat auto-signé ou expiré)",
        "(certificat d'une autorité reconnue, chaîne complète)",
    ),
    Rule(
        "V006",
        W,
        "Serveur injoignable : non vérifié",
        "{document} : {url} n'a pas pu être joint depuis le vérificateur ({problem}) : non "
        "vérifié.",
        "Cela peut venir de notre réseau : relancez plus tard ; à défaut, l'équipe de la "
        "fédération vérifiera à la revue. Un FI joignable seulement depuis le RIE est dans ce cas.",
        "(connexion refusée, nom inconnu)",
        "(serveur joignable en https)",
    ),
    Rule(
        "V007",
        W,
        "Réponse trop lente : non vérifié",
        "{document} : {url} n'a pas répondu en {timeout} s : non vérifié.",
        "La fédération attend aussi une réponse rapide à chaque connexion : vérifiez la charge "
        "et l'accessibilité du serveur, puis relancez.",
        "(réponse après 30 s)",
        "(réponse en moins d'une seconde)",
    ),
    Rule(
        "V008",
        W,
        "Temps de vérification épuisé : non vérifié",
        "{document} : le temps total de vérification était épuisé avant {url} : non vérifié.",
        "Relancez « fedreg check-live » sur moins de fichiers, ou avec un --budget plus grand.",
        "(trop de fournisseurs pour le budget)",
        "(budget suffisant)",
    ),
    Rule(
        "V010",
        E,
        "Issuer différent",
        "L'issuer publié « {found} » diffère de celui attendu « {expected} ».",
        "OpenID Connect Discovery exige que l'issuer soit l'URL de découverte sans "
        "/.well-known/openid-configuration : corrigez la configuration du FI ou le fichier.",
        '"issuer": "https://autre.a.fr"',
        '"issuer": "https://auth.a.fr"',
    ),
    Rule(
        "V011",
        E,
        "Point d'accès absent de la découverte",
        "La découverte ne publie pas « {member} ».",
        "Publiez {member} dans le document de découverte : la fédération en a besoin à chaque "
        "connexion.",
        '{"issuer": "https://auth.a.fr"}',
        '{"issuer": "https://auth.a.fr", "token_endpoint": "https://auth.a.fr/token", …}',
    ),
    Rule(
        "V012",
        E,
        "Point d'accès sans https",
        "« {member} » vaut {url} : seul https est accepté.",
        "Publiez chaque point d'accès en https://, avec un certificat valide.",
        '"token_endpoint": "http://auth.a.fr/token"',
        '"token_endpoint": "https://auth.a.fr/token"',
    ),
    Rule(
        "V013",
        E,
        "Hôte non accepté pour ce FI",
        "« {member} » est sur l'hôte {host}, non accepté pour ce FI : {reason}.",
        "Publiez les points d'accès sur un nom de domaine public (sur le RIE : sous "
        "{suffixes}, sinon déclarez les ip_ranges du FI).",
        '"userinfo_endpoint": "https://10.0.0.5/userinfo"',
        '"userinfo_endpoint": "https://auth.a.fr/userinfo"',
    ),
    Rule(
        "V014",
        E,
        "Algorithme non publié",
        "« {member} » ne contient pas {alg}, l'algorithme de {field}.",
        "Activez {alg} côté FI, ou choisissez dans le fichier un algorithme que le FI publie "
        "({published}).",
        '"id_token_signing_alg_values_supported": ["RS256"] avec ES256 dans le fichier',
        '"id_token_signing_alg_values_supported": ["RS256", "ES256"]',
    ),
    Rule(
        "V015",
        E,
        "client_secret_post non accepté",
        "token_endpoint_auth_methods_supported ne contient pas client_secret_post (publié : "
        "{published}).",
        "La fédération s'authentifie uniquement par client_secret_post : le FI doit l'accepter.",
        '"token_endpoint_auth_methods_supported": ["private_key_jwt"]',
        '"token_endpoint_auth_methods_supported": ["client_secret_post"]',
    ),
    Rule(
        "V016",
        W,
        "Scopes de la fédération non publiés",
        "scopes_supported ne liste pas {scopes}, que la fédération demande à chaque connexion.",
        "Le FI doit ignorer (ou renvoyer vide) un scope qu'il ne gère pas, jamais le refuser : "
        "un refus donne l'erreur invalid_scope (Y020032) et aucune connexion ne passe.",
        '"scopes_supported": ["openid", "email"]',
        '"scopes_supported": ["openid", "uid", "given_name", "usual_name", "email", …]',
    ),
    Rule(
        "V017",
        E,
        "Déconnexion non publiée",
        "Le fichier attend une déconnexion (end_session_url) mais la découverte ne publie pas "
        "end_session_endpoint.",
        "Publiez end_session_endpoint dans la découverte, ou retirez end_session_url du fichier.",
        "end_session_url: https://auth.a.fr/logout (absent de la découverte)",
        '"end_session_endpoint": "https://auth.a.fr/logout"',
    ),
    Rule(
        "V020",
        E,
        "JWKS illisible",
        "Les clés publiées à {url} ne se lisent pas : {problem}.",
        "Publiez un JWKS conforme à la RFC 7517 : un objet dont le membre « keys » liste les "
        "clés publiques.",
        '{"keys": [{"kty": "RSA", "n": "…"}]}',
        '{"keys": [{"kty": "RSA", "kid": "k1", "n": "…", "e": "AQAB"}]}',
    ),
    Rule(
        "V021",
        E,
        "Aucune clé pour l'algorithme",
        "Aucune clé publiée n'est utilisable pour {alg} ({requirement}).",
        "Publiez dans le JWKS une clé de signature {requirement}, avec « use » à sig ou sans "
        "« use ».",
        "(ES256 configuré, seulement des clés RSA publiées)",
        '{"keys": [{"kty": "EC", "crv": "P-256", "use": "sig", …}]}',
    ),
    Rule(
        "V022",
        E,
        "Clé RSA trop courte",
        "La clé RSA « {kid} » fait {bits} bits : au moins 2048 sont exigés.",
        "Générez une clé RSA de 2048 bits ou plus (ou passez à ES256) et retirez celle-ci du JWKS.",
        "(clé RSA de 1024 bits)",
        "(clé RSA de 2048 bits)",
    ),
    Rule(
        "V023",
        E,
        "kid en double",
        "Le kid « {kid} » est porté par {count} clés.",
        "Donnez à chaque clé un kid unique : la signature désigne sa clé par son kid.",
        '{"keys": [{"kid": "k1", …}, {"kid": "k1", …}]}',
        '{"keys": [{"kid": "k1", …}, {"kid": "k2", …}]}',
    ),
    Rule(
        "V024",
        E,
        "Clé privée publiée",
        "La clé « {kid} » publie des éléments secrets ({members}) : elle est compromise.",
        "Remplacez cette clé immédiatement par une nouvelle paire et retirez-la : ne publiez "
        "que la partie publique (kty, n, e en RSA ; kty, crv, x, y en EC).",
        '{"keys": [{"kty": "RSA", "n": "…", "e": "AQAB", "d": "…"}]}',
        '{"keys": [{"kty": "RSA", "n": "…", "e": "AQAB"}]}',
    ),
    Rule(
        "V025",
        E,
        "Pas d'adresse de clés",
        "Aucune adresse de clés publiques : {where}.",
        "Avec {alg}, les clés publiques doivent être publiées : jwks_uri dans la découverte, "
        "ou jwks_url dans le fichier.",
        "(ES256 sans jwks_uri)",
        '"jwks_uri": "https://auth.a.fr/jwks"',
    ),
    Rule(
        "V030",
        E,
        "Domaine sans preuve DNS",
        "Le domaine {domain} ne porte pas l'enregistrement TXT de preuve « {record} ».",
        'Publiez dans la zone DNS du domaine : {domain}. IN TXT "{record}" — il prouve que ce '
        "FI est autorisé pour {domain}. Relancez ensuite la vérification.",
        "attached_email_domains: [a.fr] (sans TXT)",
        'a.fr. IN TXT "proconnect-identity-provider-<uid>"',
    ),
    Rule(
        "V031",
        W,
        "Domaine déjà rattaché sans preuve DNS",
        "Le domaine {domain}, déjà rattaché, ne porte pas l'enregistrement TXT de preuve "
        "« {record} ».",
        'Publiez dans la zone DNS du domaine : {domain}. IN TXT "{record}". Un nouveau '
        "rattachement sans preuve est refusé.",
        "(domaine rattaché avant la vérification, sans TXT)",
        'a.fr. IN TXT "proconnect-identity-provider-<uid>"',
    ),
    Rule(
        "V032",
        W,
        "Résolution DNS impossible : non vérifié",
        "Résolution DNS de {name} impossible depuis le vérificateur ({problem}) : non vérifié.",
        "Cela peut venir de notre résolveur : relancez plus tard ; à défaut, l'équipe de la "
        "fédération vérifiera à la revue.",
        "(résolveur injoignable)",
        "(résolveur joignable)",
    ),
    Rule(
        "V040",
        W,
        "Hôte de retour qui ne résout pas",
        "L'hôte {host} ne résout pas (aucune adresse A ni AAAA).",
        "Vérifiez le nom : après la connexion, le navigateur des agents ne pourra pas revenir "
        "sur le service.",
        "redirect_uris: [https://inexistant.a.fr/cb]",
        "redirect_uris: [https://service.a.fr/cb]",
    ),
    Rule(
        "V041",
        W,
        "Hôte de production sans réponse DNS publique",
        "L'hôte {host} n'a pas de réponse DNS publique : en production, les connexions échoueront.",
        "Publiez l'enregistrement A ou AAAA de {host} dans le DNS public avant la mise en "
        "production.",
        "redirect_uris: [https://pas-encore-publie.a.fr/cb]",
        "redirect_uris: [https://service.a.fr/cb]",
    ),
    # -- F: the modification form (fedreg edit, propose, serve) -------------------------------
    Rule(
        "F001",
        E,
        "Environnement inconnu",
        "Environnement « {value} » inconnu.",
        "Choisissez integration ou production.",
        '{"environment": "preprod"}',
        '{"environment": "integration"}',
    ),
    Rule(
        "F002",
        E,
        "Réseau inconnu",
        "Réseau « {value} » inconnu.",
        "Choisissez internet ou rie : les deux réseaux sont des déploiements distincts.",
        '{"network": "intranet"}',
        '{"network": "rie"}',
    ),
    Rule(
        "F003",
        E,
        "Identifiant du fournisseur",
        "{problem}.",
        "Indiquez le client_id reçu à la création de votre FS, ou l'uid de votre FI, "
        "et un seul des deux.",
        '{"client_id": ""}',
        '{"client_id": "70b6815edee691937e7dafcc34a8fc78df0fe79d9ad030ed5dd1d199440b8e5d"}',
    ),
    Rule(
        "F004",
        E,
        "Fournisseur introuvable",
        "Aucun fournisseur d'identifiant « {identifier} » en {environment}, réseau {network}.",
        "Vérifiez l'identifiant, l'environnement et le réseau : intégration et production, "
        "Internet et RIE sont quatre configurations distinctes.",
        '{"environment": "production", "network": "rie", "client_id": "(celui d\'internet)"}',
        '{"environment": "production", "network": "internet", "client_id": "…"}',
    ),
    Rule(
        "F005",
        E,
        "Joker refusé",
        "La valeur « {value} » contient « * » : les jokers ne sont pas pris en compte.",
        "Donnez chaque URL complète, une par ligne.",
        '{"redirect_uris": ["https://*.a.gouv.fr/callback"]}',
        '{"redirect_uris": ["https://app.a.gouv.fr/callback"]}',
    ),
    Rule(
        "F006",
        E,
        "Demande vide",
        "Tous les champs à modifier sont vides : rien ne serait changé.",
        "Remplissez au moins une liste (un champ laissé vide reste inchangé).",
        '{"redirect_uris": [], "post_logout_redirect_uris": []}',
        '{"redirect_uris": ["https://a.gouv.fr/callback"]}',
    ),
    Rule(
        "F007",
        E,
        "Champ sans objet",
        "« {field} » ne s'applique pas à un {kind}.",
        "Les URL de redirection concernent un FS, les domaines e-mail un FI.",
        '{"uid": "…", "redirect_uris": ["https://a.gouv.fr/cb"]}',
        '{"uid": "…", "email_domains": ["a.gouv.fr"]}',
    ),
    Rule(
        "F008",
        E,
        "Demandeur invalide",
        "L'adresse e-mail du demandeur « {value} » est invalide.",
        "Indiquez votre adresse professionnelle, par exemple prenom.nom@ministere.gouv.fr.",
        '{"requester": {"email": "prenom.nom"}}',
        '{"requester": {"email": "prenom.nom@ministere.gouv.fr"}}',
    ),
    Rule(
        "F009",
        E,
        "Valeur mal formée",
        "« {field} » : {problem}.",
        "Chaque liste est une liste de textes d'au plus {max_length} caractères, au plus "
        "{max_items} valeurs.",
        '{"redirect_uris": "https://a.gouv.fr/cb"}',
        '{"redirect_uris": ["https://a.gouv.fr/cb"]}',
    ),
    Rule(
        "F010",
        E,
        "Champ inconnu",
        "Le champ « {field} » n'existe pas dans le formulaire.",
        "Champs acceptés : {allowed}.",
        '{"scopes": ["openid"]}',
        '{"redirect_uris": ["https://a.gouv.fr/cb"]}',
    ),
    Rule(
        "F011",
        E,
        "Aucun changement",
        "Les valeurs demandées sont déjà celles du fichier {path} : rien ne change.",
        "Si vous attendez un déploiement, la demande précédente est peut-être encore ouverte.",
        '{"redirect_uris": ["(les URL actuelles)"]}',
        '{"redirect_uris": ["(les nouvelles URL)"]}',
    ),
    Rule(
        "F012",
        E,
        "Fournisseur ambigu",
        "Plusieurs fichiers portent l'identifiant « {identifier} » : {paths}.",
        "Le registre est incohérent : écrivez à {support}.",
        "(deux fichiers, même client_id)",
        "(un fichier par fournisseur)",
    ),
    Rule(
        "F013",
        E,
        "Fichier non modifiable automatiquement",
        "Le fichier {path} ne peut pas être modifié sans en réécrire d'autres lignes : {problem}.",
        "Faites ce changement par une demande de fusion à la main, ou écrivez à {support}.",
        "(un fichier à la mise en forme inhabituelle)",
        "(un fichier du registre relu à l'identique)",
    ),
    Rule(
        "F014",
        E,
        "Fichier absent de la branche principale",
        "Le fichier {path} n'existe pas sur la branche {branch} du dépôt.",
        "Le fournisseur n'est pas encore fusionné : attendez la fusion de sa création.",
        "(fournisseur seulement dans une branche locale)",
        "(fournisseur fusionné dans main)",
    ),
]

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in _RULES}

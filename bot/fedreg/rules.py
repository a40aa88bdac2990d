"""The catalogue of every diagnostic code: severity, French message and hint, and an example.

Codes are stable: partners search for them, CI logs quote them. Never renumber; retire a code
by leaving it here with a note. Message and hint templates are `str.format` strings filled from
a finding's params. The examples feed the rules reference (`fedreg rules`, docs/rules.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from .diagnostics import Severity

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
        "L'URL « {value} » contient un espace ou un caractère invisible.",
        "Retirez-le (attention aux espaces copiés-collés) ou encodez-le (%20).",
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
]

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in _RULES}

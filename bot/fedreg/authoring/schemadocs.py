"""The French words of the published JSON Schemas: field titles, Markdown help, scope list.

Partners read these in their editor (hover, completion). They live here, keyed by model and
field, rather than in `models.py`, so that a branch adding fields to the models and one
rewording the help do not edit the same lines; a test fails when a model field has no entry.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMON = "_Provider"  # fields every provider kind shares


@dataclass(frozen=True)
class FieldDoc:
    title: str
    markdown: str


@dataclass(frozen=True)
class ModelDoc:
    title: str
    markdown: str


MODEL_DOCS = {
    "ServiceProvider": ModelDoc(
        "Fournisseur de service (FS)",
        "Un **fournisseur de service** (FS) de la fédération ProConnect : un client OpenID "
        "Connect. Un fichier par déploiement (environnement × réseau), sous "
        "`registry/<environnement>/service-providers/`. Vérifiez-le avec `fedreg validate`.",
    ),
    "IdentityProvider": ModelDoc(
        "Fournisseur d'identité (FI)",
        "Un **fournisseur d'identité** (FI) de la fédération ProConnect : un serveur OpenID "
        "Connect vers lequel la fédération envoie les agents. Un fichier par déploiement "
        "(environnement × réseau), sous `registry/<environnement>/identity-providers/`. "
        "Vérifiez-le avec `fedreg validate`.",
    ),
}

FIELD_DOCS: dict[str, dict[str, FieldDoc]] = {
    COMMON: {
        "name": FieldDoc(
            "Nom affiché",
            "Nom affiché aux utilisateurs, distinct de celui des autres fournisseurs. Lettres "
            "(accentuées comprises), chiffres, espaces et `, . : ! ( ) _ ' - & /`, "
            "200 caractères au plus.",
        ),
        "network": FieldDoc(
            "Réseau",
            "Réseau du déploiement : `internet` ou `rie` (Réseau interministériel de l'État). "
            "L'environnement, lui, vient du dossier.",
        ),
        "active": FieldDoc(
            "Actif",
            "`false` désactive le fournisseur sans le supprimer. Par défaut : `true`.",
        ),
        "owners": FieldDoc(
            "Propriétaires",
            "Comptes `@identifiant` ou équipes `@organisation/équipe` GitHub autorisés à "
            'modifier ce fichier, écrits **entre guillemets** (`"@org/equipe"`) : en YAML, '
            "`@` ne peut pas commencer une valeur nue.",
        ),
        "contacts": FieldDoc(
            "Contacts",
            "Adresses e-mail de l'équipe responsable, prévenue des changements.",
        ),
        "siret": FieldDoc(
            "SIRET",
            "SIRET de l'organisation : 14 chiffres (clé de Luhn vérifiée par `fedreg "
            "validate`). Facultatif. Les guillemets sont conseillés (`siret: "
            '"13002526500013"`) mais pas obligatoires : fedreg lit toute valeur autre que '
            "`true`, `false` et `null` comme du texte.",
        ),
        "ip_ranges": FieldDoc(
            "Plages IP",
            "Adresses ou plages CIDR (`145.242.17.0/28`, `2001:67c:2e8::/48`) avec lesquelles "
            "vos serveurs appellent la fédération. Obligatoire sur le RIE, où elles doivent "
            "être dans l'espace d'adresses du RIE ; sur internet, des adresses publiques.",
        ),
        "id_token_signed_response_alg": FieldDoc(
            "Signature de l'ID token",
            "Algorithme de signature de l'ID token : `ES256` ou `RS256` ; `HS256` est "
            "accepté mais déconseillé.",
        ),
        "userinfo_signed_response_alg": FieldDoc(
            "Signature de userinfo",
            "Algorithme de signature de la réponse userinfo : `ES256` ou `RS256` ; `HS256` "
            "déconseillé ; `null` renvoie du JSON non signé (déconseillé).",
        ),
    },
    "ServiceProvider": {
        "kind": FieldDoc("Type", "Toujours `ServiceProvider` pour un FS."),
        "client_id": FieldDoc(
            "Identifiant client",
            "Identifiant OpenID Connect attribué par la fédération : 64 caractères "
            "hexadécimaux (ou un UUID pour les plus anciens). `fedreg new` en génère un ; "
            "ne le modifiez pas.",
        ),
        "redirect_uris": FieldDoc(
            "URL de retour après connexion",
            "URL de retour après connexion, comparées **exactement** à celle qu'envoie votre "
            "application. En production : `https://` et un nom de domaine public ; en "
            "intégration, `http://` n'est accepté que pour `localhost`, `127.0.0.1` et "
            "`[::1]`. Ni fragment (`#`), ni joker (`*`), ni espace.",
        ),
        "post_logout_redirect_uris": FieldDoc(
            "URL de retour après déconnexion",
            "URL de retour après déconnexion, comparées exactement, avec les mêmes règles que "
            "`redirect_uris`.",
        ),
        "scopes": FieldDoc(
            "Scopes",
            "Données demandées à la fédération. `openid` est obligatoire ; `profile` n'est "
            "pas pris en charge. Complétion : la liste des scopes de la fédération.",
        ),
        "accepts_private_sector": FieldDoc(
            "Accepte le secteur privé",
            "`true` si le service accepte aussi les salariés du secteur privé. Par défaut : "
            "`false`.",
        ),
        "secret_recipients": FieldDoc(
            "Destinataires du secret",
            "Clés publiques [age](https://age-encryption.org) (`age1…`, créées avec "
            "`age-keygen`) qui recevront le secret client, chiffré, à sa création ou à son "
            "renouvellement. Obligatoire pour un nouveau FS (I010).",
        ),
        "introspection_signed_response_alg": FieldDoc(
            "Signature de l'introspection",
            "Algorithme de signature des réponses d'introspection : `ES256`, `RS256` ou "
            "`HS256` ; `null` (par défaut) : non signées. Utile seulement aux serveurs de "
            "ressources, sur demande à l'équipe de la fédération.",
        ),
    },
    "IdentityProvider": {
        "kind": FieldDoc("Type", "Toujours `IdentityProvider` pour un FI."),
        "uid": FieldDoc(
            "Identifiant du FI",
            "Identifiant du FI dans la fédération (UUID). `fedreg new` en génère un ; ne le "
            "modifiez pas.",
        ),
        "title": FieldDoc(
            "Titre affiché",
            "Titre affiché aux utilisateurs. Mêmes caractères que `name`, 200 au plus.",
        ),
        "discovery_url": FieldDoc(
            "URL de découverte",
            "URL publique du document de découverte OpenID, terminée par "
            "`/.well-known/openid-configuration`. Avec elle, ne donnez aucun point d'accès.",
        ),
        "issuer": FieldDoc("Issuer", "Issuer du FI, seulement sans `discovery_url`."),
        "authorization_url": FieldDoc(
            "Point d'autorisation", "Point d'autorisation, seulement sans `discovery_url`."
        ),
        "token_url": FieldDoc("Point token", "Point token, seulement sans `discovery_url`."),
        "userinfo_url": FieldDoc(
            "Point userinfo", "Point userinfo, seulement sans `discovery_url`."
        ),
        "jwks_url": FieldDoc(
            "Clés publiques (JWKS)", "URL des clés publiques, facultative, sans `discovery_url`."
        ),
        "end_session_url": FieldDoc(
            "Point de déconnexion", "Point de déconnexion du FI, facultatif."
        ),
        "client_id": FieldDoc(
            "Identifiant client",
            "Identifiant client que votre FI a créé pour la fédération (256 caractères au plus).",
        ),
        "token_endpoint_auth_method": FieldDoc(
            "Authentification au point token",
            "Seule méthode acceptée : `client_secret_post`.",
        ),
        "support_email": FieldDoc(
            "E-mail du support",
            "Adresse du support du FI, affichée aux agents sur les pages d'erreur.",
        ),
        "attached_email_domains": FieldDoc(
            "Domaines rattachés",
            "Domaines e-mail de vos agents, routés vers ce FI (ex. : `ministere.gouv.fr`). Un "
            "domaine n'est rattaché qu'à un seul FI par déploiement.",
        ),
        "extra_accepted_email_domains": FieldDoc(
            "Domaines acceptés",
            "Domaines acceptés en retour de ce FI, sans routage vers lui.",
        ),
        "routing_enabled": FieldDoc(
            "Routage actif",
            "Routage par domaine e-mail actif ; activé par l'équipe de la fédération.",
        ),
        "block_unlisted_email_domains": FieldDoc(
            "Refuser les domaines non listés",
            "`true` refuse les utilisateurs dont le domaine n'est ni rattaché ni accepté.",
        ),
        "entra_id": FieldDoc("Microsoft Entra ID", "`true` pour un FI Microsoft Entra ID."),
        "uses_hybridge": FieldDoc(
            "Hybridge",
            "`true` pour un FI du RIE joint depuis internet par l'Hybridge.",
        ),
        "mfa_compliant": FieldDoc(
            "Double authentification conforme",
            "Double authentification conforme ; constaté par l'équipe de la fédération.",
        ),
        "mfa_compliance_note": FieldDoc(
            "Note sur la double authentification", "Note libre sur la conformité MFA."
        ),
        "client_secret_age": FieldDoc(
            "Secret client chiffré",
            "Le secret client du FI, chiffré avec age pour la clé publique de la fédération "
            "**de l'environnement du fichier** (`federation_age_recipients` de la politique), "
            "en texte armuré (`-----BEGIN AGE ENCRYPTED FILE-----`). Jamais en clair. "
            "Obligatoire pour un nouveau FI (I011).",
        ),
        "client_secret_age_recipient": FieldDoc(
            "Clé de chiffrement du secret",
            "La clé publique age (`age1…`) pour laquelle `client_secret_age` est chiffré : "
            "celle de la fédération dans l'environnement du fichier (I014, I015).",
        ),
        "id_token_encrypted_response_alg": FieldDoc(
            "Chiffrement de l'ID token : algorithme",
            "`ECDH-ES`, `RSA-OAEP` ou `RSA-OAEP-256` ; `null` : ID token non chiffré. Va avec "
            "`id_token_encrypted_response_enc`.",
        ),
        "id_token_encrypted_response_enc": FieldDoc(
            "Chiffrement de l'ID token : contenu",
            "`A256GCM` ; va avec `id_token_encrypted_response_alg`.",
        ),
        "userinfo_encrypted_response_alg": FieldDoc(
            "Chiffrement de userinfo : algorithme",
            "`ECDH-ES`, `RSA-OAEP` ou `RSA-OAEP-256` ; `null` : userinfo non chiffré. Va avec "
            "`userinfo_encrypted_response_enc`.",
        ),
        "userinfo_encrypted_response_enc": FieldDoc(
            "Chiffrement de userinfo : contenu",
            "`A256GCM` ; va avec `userinfo_encrypted_response_alg`.",
        ),
    },
}

# What each scope of the federation gives, in the order of `checks.oidc.KNOWN_SCOPES`.
SCOPE_DOCS = {
    "openid": "Obligatoire : l'authentification OpenID Connect elle-même (`sub`).",
    "uid": "Identifiant de l'agent chez son fournisseur d'identité.",
    "given_name": "Prénoms de l'agent.",
    "usual_name": "Nom d'usage de l'agent.",
    "email": "Adresse e-mail professionnelle de l'agent.",
    "phone": "Numéro de téléphone professionnel de l'agent.",
    "organizational_unit": "Service, direction ou unité de l'agent.",
    "siren": "SIREN de l'organisation de l'agent.",
    "siret": "SIRET de l'établissement de l'agent.",
    "belonging_population": "Population d'appartenance de l'agent.",
    "chorusdt": "Données Chorus DT (déplacements temporaires) de l'agent.",
    "idp_id": "Identifiant du fournisseur d'identité utilisé pour la connexion.",
    "idp_acr": "Niveau d'authentification (`acr`) obtenu chez le fournisseur d'identité.",
    "roles": "Rôles de l'agent, quand son fournisseur d'identité les transmet.",
    "organization_label": "Nom de l'organisation de l'agent.",
    "groups": "Groupes de l'agent, quand son fournisseur d'identité les transmet.",
    "custom": "Données non standard transmises par le fournisseur d'identité.",
    "amr": "Méthodes d'authentification utilisées (`pwd`, `mail`, `otp`, `mfa`…).",
    "lasuite_visio": "Accès à La Suite Visio ; `lasuite_visio:rooms:…` pour des salles.",
}


def field_doc(model: str, field: str) -> FieldDoc | None:
    return FIELD_DOCS.get(model, {}).get(field) or FIELD_DOCS[COMMON].get(field)

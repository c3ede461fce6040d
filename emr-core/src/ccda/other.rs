//! Family History Organizer (`4.45`) → FamilyMemberHistory; Goal Observation (`4.121`) → Goal;
//! Note Activity (`4.202`) → DocumentReference; Non-Medicinal Supply (`4.50`) → Device and
//! DeviceUseStatement; Care Team Organizer (`4.500`) → CareTeam, its members Practitioners.

use std::borrow::Cow;

use super::xml::Node;

use super::allergy::related;
use super::build::{lit, obj, reference, s, Ctx};
use super::medication::unknown;
use super::value::{concept, effective, period, text_element, ts, value_x};
use super::xml::{attr, child, children, is, path, text_of};
use crate::codes::UCUM;
use crate::json::Json;

/// Map a family history organizer.
pub(crate) fn family_history(ctx: &mut Ctx<'_, '_>, org: Node<'_, '_>) {
    let related_subject = path(org, &["subject", "relatedSubject"]);
    let relationship =
        related_subject.and_then(|r| child(r, "code")).and_then(|c| concept(ctx, c, "relatedSubject/code"));
    let person = related_subject.and_then(|r| child(r, "subject"));
    let mut conditions = Vec::new();
    let mut deceased = false;
    for obs in children(org, "component").filter_map(|c| child(c, "observation")) {
        let Some(code) = child(obs, "value").and_then(|v| concept(ctx, v, "value")) else { continue };
        let mut m = vec![("code", code)];
        if let Some(outcome) =
            related(obs, "4.47").next().and_then(|o| child(o, "value")).and_then(|v| concept(ctx, v, "outcome"))
        {
            deceased = true;
            m.push(("outcome", outcome));
        }
        let age = related(obs, "4.31")
            .next()
            .and_then(|a| child(a, "value"))
            .and_then(|v| Some((attr(v, "value")?, attr(v, "unit").unwrap_or("a"))));
        if let Some((value, unit)) = age.and_then(|(v, u)| Some((super::value::number(v)?, u))) {
            m.push(("onsetAge", obj([("value", value), ("unit", s(unit)), ("system", lit(UCUM)), ("code", s(unit))])));
        } else if let Some(t) = child(obs, "effectiveTime")
            .and_then(|e| child(e, "low").or(Some(e)))
            .and_then(|n| ts(ctx, n, "effectiveTime"))
        {
            m.push(("onsetString", s(t)));
        }
        conditions.push(obj(m));
    }
    let mut d = ctx.draft("FamilyMemberHistory", org);
    d.add("status", lit("completed"));
    d.add("patient", ctx.subject());
    d.add("relationship", relationship.unwrap_or_else(unknown));
    if let Some(g) = person.and_then(|p| child(p, "administrativeGenderCode")).and_then(|g| attr(g, "code")) {
        let code = match g {
            "M" => "male",
            "F" => "female",
            _ => "unknown",
        };
        d.add(
            "sex",
            obj([(
                "coding",
                Json::Array(vec![obj([
                    ("system", lit("http://hl7.org/fhir/administrative-gender")),
                    ("code", s(code)),
                ])]),
            )]),
        );
    }
    if let Some(b) = person.and_then(|p| child(p, "birthTime")).and_then(|b| ts(ctx, b, "birthTime")) {
        d.add("bornDate", s(b.get(..10).unwrap_or(&b)));
    }
    if deceased {
        d.add("deceasedBoolean", Json::Bool(true));
    }
    d.list("condition", conditions);
    ctx.push(d);
}

/// Map a goal observation.
pub(crate) fn goal(ctx: &mut Ctx<'_, '_>, obs: Node<'_, '_>) {
    let code = child(obs, "code").and_then(|c| concept(ctx, c, "code"));
    let text = child(obs, "text").and_then(|t| text_element(ctx, t));
    let target = children(obs, "value").next().and_then(|v| value_x(ctx, v));
    let mut d = ctx.draft("Goal", obs);
    let status = match child(obs, "statusCode").and_then(|s| attr(s, "code")) {
        Some("completed") => "completed",
        Some("cancelled" | "aborted") => "cancelled",
        Some("suspended") => "on-hold",
        _ => "active",
    };
    d.add("lifecycleStatus", s(status));
    let description = match (code.clone(), text) {
        (_, Some(t)) => obj([("text", s(t))]),
        (Some(c), None) => c,
        (None, None) => unknown(),
    };
    d.add("description", description);
    d.add("subject", ctx.subject());
    let start = child(obs, "effectiveTime").and_then(|e| {
        ts(ctx, e, "effectiveTime").or_else(|| child(e, "low").and_then(|l| ts(ctx, l, "effectiveTime/low")))
    });
    d.opt("startDate", start.map(|t| s(t.get(..10).unwrap_or(&t))));
    if let Some((key, v)) = target {
        let detail = match key {
            "valueQuantity" => Some("detailQuantity"),
            "valueRange" => Some("detailRange"),
            "valueCodeableConcept" => Some("detailCodeableConcept"),
            "valueString" => Some("detailString"),
            "valueInteger" => Some("detailInteger"),
            "valueBoolean" => Some("detailBoolean"),
            _ => None,
        };
        if let Some(detail) = detail {
            let mut m = Vec::new();
            if let Some(c) = code {
                m.push(("measure", c));
            }
            m.push((detail, v));
            d.add("target", Json::Array(vec![obj(m)]));
        }
    }
    d.opt("expressedBy", super::participants::author(ctx, obs));
    ctx.push(d);
}

/// Map a note activity: its text (or embedded base64 content) as the attachment.
pub(crate) fn note(ctx: &mut Ctx<'_, '_>, act: Node<'_, '_>) {
    let text_node = child(act, "text");
    let embedded = text_node.filter(|t| attr(*t, "representation") == Some("B64"));
    let code = child(act, "code").and_then(|c| concept(ctx, c, "code"));
    let mut d = ctx.draft("DocumentReference", act);
    d.add("status", lit("current"));
    d.add("type", code.unwrap_or_else(unknown));
    d.add("subject", ctx.subject());
    let author_time = path(act, &["author", "time"]).and_then(|t| ts(ctx, t, "author/time"));
    d.opt("date", author_time.filter(|t| t.len() > 10).map(s));
    let attachment = match embedded {
        Some(t) => {
            let data: String = text_of(t).split_whitespace().collect();
            let kind = attr(t, "mediaType").unwrap_or("text/plain").to_owned();
            obj([("contentType", s(kind)), ("data", s(data))])
        }
        None => {
            let text = text_node.and_then(|t| text_element(ctx, t)).unwrap_or_default();
            obj([("contentType", lit("text/plain")), ("data", s(super::header::base64(text.as_bytes())))])
        }
    };
    d.list("author", super::participants::author(ctx, act).into_iter().collect());
    d.add("content", Json::Array(vec![obj([("attachment", attachment)])]));
    if let Some(p) = child(act, "effectiveTime").and_then(|e| period(ctx, e, "effectiveTime")) {
        d.add("context", obj([("period", p)]));
    }
    ctx.push(d);
}

/// Map a non-medicinal supply activity: the device, and the statement that the patient uses it.
pub(crate) fn device_use(ctx: &mut Ctx<'_, '_>, supply: Node<'_, '_>) {
    let role = path(supply, &["participant", "participantRole"]);
    let device_code = role
        .and_then(|r| child(r, "playingDevice"))
        .and_then(|p| child(p, "code"))
        .and_then(|c| concept(ctx, c, "playingDevice/code"));
    let device_node = role.unwrap_or(supply);
    let mut dev = ctx.draft("Device", device_node);
    dev.opt("type", device_code);
    dev.add("patient", ctx.subject());
    let device_url = ctx.push(dev);
    let mut d = ctx.draft("DeviceUseStatement", supply);
    let status = match child(supply, "statusCode").and_then(|s| attr(s, "code")) {
        Some("active") => "active",
        Some("aborted" | "cancelled") => "stopped",
        Some("suspended") => "on-hold",
        _ => "completed",
    };
    d.add("status", s(status));
    d.add("subject", ctx.subject());
    if let Some((key, v)) = effective(ctx, child(supply, "effectiveTime"), "timing") {
        d.add_owned(key, v);
    }
    d.add("device", reference(&device_url));
    ctx.push(d);
}

/// Map a care team organizer: its members as participants.
pub(crate) fn care_team(ctx: &mut Ctx<'_, '_>, org: Node<'_, '_>) {
    let mut participants = Vec::new();
    for act in children(org, "component").filter_map(|c| child(c, "act")) {
        let Some(performer) = child(act, "performer") else { continue };
        let mut m = Vec::new();
        // `functionCode` is in the sdtc namespace here (C-CDA R2.1), in HL7 v3's in older documents.
        let function = performer.children().find(|c| c.is_element() && c.tag_name().name() == "functionCode");
        if let Some(role) = function.and_then(|c| concept(ctx, c, "functionCode")) {
            m.push(("role", Json::Array(vec![role])));
        }
        // The member as the header's care team has it: a Practitioner (with the PractitionerRole
        // for the organization they act for, which is `onBehalfOf`), else the organization.
        let entity = child(performer, "assignedEntity");
        let member = entity.and_then(|e| super::participants::actor(ctx, e));
        let person = member.as_ref().is_some_and(|r| r.get("reference").is_some());
        m.push(("member", member.unwrap_or_else(|| obj(vec![("display", s("unknown"))]))));
        let org = entity.and_then(|e| child(e, "representedOrganization")).filter(|_| person);
        if let Some(url) = org.and_then(|o| super::roles::organization(ctx, o)) {
            m.push(("onBehalfOf", reference(&url)));
        }
        participants.push(obj(m));
    }
    let name = child(org, "code").and_then(|c| concept(ctx, c, "code"));
    let mut d = ctx.draft("CareTeam", org);
    let status = match child(org, "statusCode").and_then(|s| attr(s, "code")) {
        Some("active") => "active",
        Some("completed") => "inactive",
        Some("suspended") => "suspended",
        _ => "active",
    };
    d.add("status", s(status));
    d.opt("category", name.map(|c| Json::Array(vec![c])));
    d.add("subject", ctx.subject());
    if let Some(p) = child(org, "effectiveTime").and_then(|e| period(ctx, e, "effectiveTime")) {
        d.add("period", p);
    }
    d.list("participant", participants);
    let _ = (Cow::Borrowed(""), is);
    ctx.push(d);
}

// OpenVEX (v0.0.x and v0.2.0) and CycloneDX VEX documents, streamed.
//
// OpenVEX: statements[] { vulnerability: "CVE-..." | {name, @id, aliases[]}, status,
//   products: ["id"] | [{@id, identifiers{purl}, subcomponents: ["id"] | [{@id, identifiers{purl}}]}],
//   subcomponents (v0.0.x, statement level) }
// CycloneDX: vulnerabilities[] { id, references[].id, analysis.state, affects[].ref }, with
//   metadata.component (the image when refs name its packages).
#include "checks/common/image_ref.h"
#include "engine/vulns/internal.h"

namespace kspm::vulns::internal {

namespace {

struct VexNodes {
  Schema schema;
  int context, statements, st, sv, sv_name, sv_id, sv_alias, status, product, p_id, p_purl, sub, sub_id, sub_purl,
      bom_format, meta_purl, c_vuln, c_id, c_ref_id, c_state, c_affect_ref;
  VexNodes() {
    Schema& s = schema;
    context = s.add(0, "@context");
    statements = s.add(0, "statements");
    st = s.add(statements, "[]");
    sv = s.add(st, "vulnerability");
    sv_name = s.add(sv, "name");
    sv_id = s.add(sv, "@id");
    sv_alias = s.add(s.add(sv, "aliases"), "[]");
    status = s.add(st, "status");
    product = s.add(s.add(st, "products"), "[]");
    p_id = s.add(product, "@id");
    p_purl = s.add(s.add(product, "identifiers"), "purl");
    int subs = s.add(product, "subcomponents");
    s.link(st, "subcomponents", subs);
    sub = s.add(subs, "[]");
    sub_id = s.add(sub, "@id");
    sub_purl = s.add(s.add(sub, "identifiers"), "purl");
    bom_format = s.add(0, "bomFormat");
    meta_purl = s.add(s.add(s.add(0, "metadata"), "component"), "purl");
    c_vuln = s.add(s.add(0, "vulnerabilities"), "[]");
    c_id = s.add(c_vuln, "id");
    c_ref_id = s.add(s.add(s.add(c_vuln, "references"), "[]"), "id");
    c_state = s.add(s.add(c_vuln, "analysis"), "state");
    c_affect_ref = s.add(s.add(s.add(c_vuln, "affects"), "[]"), "ref");
  }
};

const VexNodes& vexNodes() {
  static const VexNodes n;
  return n;
}

void packageOf(std::string_view id, std::vector<std::string>* packages) {
  if (std::optional<Purl> p = parsePurl(id)) {
    packages->push_back(p->name);
  } else if (!id.empty()) {
    packages->emplace_back(id);
  }
}

// A product id as an image selector. Package purls become `any` plus a package.
std::optional<ProductSelector> selectorFor(std::string_view id, std::vector<std::string>* packages) {
  ProductSelector sel;
  if (id.substr(0, 8) == "urn:cdx:") {
    // BOM-Link: urn:cdx:SERIAL/VERSION#REF
    std::string_view rest = id.substr(8);
    size_t hash = rest.find('#');
    std::string_view serial = rest.substr(0, std::min(rest.find('/'), hash));
    std::string ref = hash == std::string_view::npos ? std::string() : percentDecode(rest.substr(hash + 1));
    if (std::optional<Purl> p = parsePurl(ref); p && p->type == "oci") return selectorFor(ref, packages);
    sel.bom_serial = std::string(serial);
    if (!ref.empty()) packageOf(ref, packages);
    return sel;
  }
  if (std::optional<Purl> p = parsePurl(id)) {
    if (p->type != "oci") {
      sel.any = true;
      packages->push_back(p->name);
      return sel;
    }
    if (p->version.find(':') != std::string::npos) sel.digest = p->version;
    std::string repo_url = p->qualifier("repository_url");
    if (!repo_url.empty()) {
      if (std::optional<std::string> repo = normalizedRepository(repo_url)) sel.repo = *repo;
    }
    sel.tag = p->qualifier("tag");
    if (sel.digest.empty() && sel.repo.empty()) return std::nullopt;
    return sel;
  }
  checks::ParsedImage parsed = checks::parseImageRef(id);
  if (parsed.status != checks::ImageRefStatus::kOk) return std::nullopt;
  sel.repo = checks::normalizeRegistry(parsed.ref.registry) + "/" + parsed.ref.path;
  sel.digest = parsed.ref.digest;
  sel.tag = parsed.ref.tag;
  return sel;
}

bool removes(std::string_view status) {
  return status == "not_affected" || status == "fixed" || status == "false_positive" || status == "resolved" ||
         status == "resolved_with_pedigree";
}

class VexEvents : public Events {
 public:
  explicit VexEvents(std::vector<VexStatement>* out) : n_(vexNodes()), out_(out) {}

  void begin(int node, bool array) override {
    if (node == 0 && array) failure = "the document is a list, not a VEX document";
    if (node == n_.st || node == n_.c_vuln) {
      ids_.clear();
      status_.clear();
      products_.clear();
      statement_subs_.clear();
    } else if (node == n_.product) {
      products_.emplace_back();
      in_product_ = true;
    } else if (node == n_.sub) {
      sub_id_.clear();
      sub_purl_.clear();
    }
  }

  void end(int node) override {
    if (node == n_.product) {
      in_product_ = false;
    } else if (node == n_.sub) {
      addSub(sub_purl_.empty() ? sub_id_ : sub_purl_);
    } else if (node == n_.st) {
      endStatement(false);
    } else if (node == n_.c_vuln) {
      endStatement(true);
    }
  }

  void string(int node, std::string_view v) override {
    if (node == n_.context) {
      openvex_ = true;
    } else if (node == n_.sv || node == n_.sv_name || node == n_.sv_alias || node == n_.sv_id ||
               node == n_.c_id || node == n_.c_ref_id) {
      if (node == n_.sv_id && v.find("://") != std::string_view::npos) return;  // an IRI, not an id
      ids_.emplace_back(v);
    } else if (node == n_.status || node == n_.c_state) {
      status_ = v;
    } else if (node == n_.product) {
      products_.emplace_back().id = v;  // v0.0.x: products are strings
    } else if (node == n_.p_id) {
      products_.back().id = v;
    } else if (node == n_.p_purl) {
      products_.back().purl = v;
    } else if (node == n_.sub) {
      addSub(v);
    } else if (node == n_.sub_id) {
      sub_id_ = v;
    } else if (node == n_.sub_purl) {
      sub_purl_ = v;
    } else if (node == n_.bom_format) {
      bom_format_ = v;
    } else if (node == n_.meta_purl) {
      meta_purl_ = v;
    } else if (node == n_.c_affect_ref) {
      products_.emplace_back().id = v;
    }
  }

  std::string finish() {
    if (!openvex_ && bom_format_ != "CycloneDX") {
      return "not a VEX document (no OpenVEX @context or CycloneDX bomFormat)";
    }
    return {};
  }

 private:
  struct Product {
    std::string id, purl;
    std::vector<std::string> subs;
  };

  void addSub(std::string_view id) {
    if (in_product_ && !products_.empty()) {
      products_.back().subs.emplace_back(id);
    } else {
      statement_subs_.emplace_back(id);
    }
  }

  void endStatement(bool cyclonedx) {
    if (!removes(status_) || ids_.empty()) return;
    for (const Product& p : products_) {
      VexStatement st;
      st.ids = ids_;
      std::optional<ProductSelector> sel = selectorFor(p.purl.empty() ? p.id : p.purl, &st.packages);
      if (!sel) continue;
      if (cyclonedx && sel->any && !meta_purl_.empty()) {
        // A package of the image this CycloneDX document describes.
        std::vector<std::string> ignored;
        if (std::optional<ProductSelector> image = selectorFor(meta_purl_, &ignored); image && !image->any) {
          sel = image;
        }
      }
      st.product = std::move(*sel);
      for (const std::string& s : p.subs) packageOf(s, &st.packages);
      for (const std::string& s : statement_subs_) packageOf(s, &st.packages);
      out_->push_back(std::move(st));
    }
  }

  const VexNodes& n_;
  std::vector<VexStatement>* out_;
  std::vector<std::string> ids_;
  std::string status_, sub_id_, sub_purl_, bom_format_, meta_purl_;
  std::vector<Product> products_;
  std::vector<std::string> statement_subs_;
  bool in_product_ = false;
  bool openvex_ = false;
};

}  // namespace

std::optional<InputError> parseVex(const std::string& path, const LoadLimits& limits,
                                   std::vector<VexStatement>* out) {
  VexEvents events(out);
  if (auto error = walkJsonFile(path, vexNodes().schema, events, limits)) return error;
  std::string message = events.finish();
  if (!message.empty()) return makeError(ErrorCode::kInvalidObject, path, message);
  return std::nullopt;
}

}  // namespace kspm::vulns::internal

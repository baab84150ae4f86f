// The vulnerability Database: images and their keys, VEX, KEV, EPSS, and the join to pod images.
#include <algorithm>
#include <unordered_set>

#include "checks/common/image_ref.h"
#include "engine/vulns/internal.h"
#include "kspm/vulns.h"

namespace kspm::vulns {

using internal::ImageKeys;
using internal::VexStatement;

struct Database::Impl {
  LoadLimits limits;
  std::vector<ImageReport> images;
  std::vector<ImageKeys> keys;             // per image
  std::vector<std::string> serials;        // per image: CycloneDX serial without "urn:uuid:"
  std::unordered_map<std::string, std::vector<uint32_t>> by_repo_digest, by_digest, by_tag;
  std::vector<VexStatement> vex;
  std::unordered_map<std::string, internal::KevEntry> kev;
  std::unordered_map<std::string, internal::EpssScore> epss;
  KevInfo kev_info;
  EpssInfo epss_info;
  size_t vex_removed = 0;

  void enrich(Vulnerability& v) const {
    if (!kev.empty()) {
      auto apply = [&](const std::string& id) {
        auto it = kev.find(id);
        if (it == kev.end()) return;
        v.kev = true;
        v.kev_ransomware = v.kev_ransomware || it->second.ransomware;
      };
      apply(v.id);
      for (const std::string& a : v.aliases) apply(a);
    }
    if (!epss.empty()) {
      auto it = epss.find(v.id);
      for (size_t i = 0; it == epss.end() && i < v.aliases.size(); ++i) it = epss.find(v.aliases[i]);
      if (it != epss.end()) {
        v.epss = it->second.epss;
        v.epss_percentile = it->second.percentile;
      }
    }
  }

  static bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
  }

  bool selects(const internal::ProductSelector& s, size_t image) const {
    const ImageKeys& k = keys[image];
    if (!s.bom_serial.empty() && s.bom_serial != serials[image]) return false;
    if (s.any || !s.bom_serial.empty()) return true;
    if (!s.digest.empty()) return contains(k.digests, s.digest);
    if (!s.tag.empty()) return contains(k.tags, s.repo + ":" + s.tag);
    return !s.repo.empty() && contains(k.repos, s.repo);
  }

  void applyVex(const VexStatement& st, size_t image) {
    if (!selects(st.product, image)) return;
    std::vector<Vulnerability>& vulns = images[image].vulns;
    auto named = [&](const Vulnerability& v) {
      for (const std::string& id : st.ids) {
        if (v.id == id || contains(v.aliases, id)) return true;
      }
      return false;
    };
    auto removed = [&](const Vulnerability& v) {
      if (!named(v)) return false;
      if (st.packages.empty()) return true;
      for (const std::string& p : st.packages) {
        if (internal::packageMatches(v.package, p)) return true;
      }
      return false;
    };
    auto it = std::remove_if(vulns.begin(), vulns.end(), removed);
    vex_removed += static_cast<size_t>(vulns.end() - it);
    vulns.erase(it, vulns.end());
  }

  static ImageKeys keysOf(const ImageReport& r) {
    ImageKeys k;
    for (const std::string& d : r.repo_digests) internal::addReferenceKeys(d, &k);
    for (const std::string& t : r.tags) internal::addReferenceKeys(t, &k);
    if (r.tags.empty()) internal::addReferenceKeys(r.name, &k);  // e.g. Syft: the name is the only tag
    auto dedupe = [](std::vector<std::string>& v) {
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
    };
    dedupe(k.repo_digests);
    dedupe(k.digests);
    dedupe(k.tags);
    dedupe(k.repos);
    return k;
  }

  void add(ImageReport image, std::string serial) {
    uint32_t index = static_cast<uint32_t>(images.size());
    ImageKeys k = keysOf(image);
    for (const std::string& key : k.repo_digests) by_repo_digest[key].push_back(index);
    for (const std::string& key : k.digests) by_digest[key].push_back(index);
    for (const std::string& key : k.tags) by_tag[key].push_back(index);
    if (serial.substr(0, 9) == "urn:uuid:") serial.erase(0, 9);
    images.push_back(std::move(image));
    keys.push_back(std::move(k));
    serials.push_back(std::move(serial));
    for (const VexStatement& st : vex) applyVex(st, index);
    for (Vulnerability& v : images.back().vulns) enrich(v);
  }

  // Every image the reference joins to, best first (see Database::match).
  std::vector<uint32_t> matches(std::string_view reference, bool first_only) const {
    std::vector<uint32_t> out;
    ImageKeys k;
    if (!internal::addReferenceKeys(reference, &k)) return out;
    auto has = [](const std::vector<uint32_t>& v, uint32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); };
    auto take = [&](const std::unordered_map<std::string, std::vector<uint32_t>>& index, const std::string& key,
                    const std::string* pinned_digest) {
      auto it = index.find(key);
      if (it == index.end()) return;
      for (uint32_t i : it->second) {
        // A pod pinned by digest does not take a tag match of another build.
        if (pinned_digest && !keys[i].digests.empty() && !contains(keys[i].digests, *pinned_digest)) continue;
        if (!has(out, i)) out.push_back(i);
      }
    };
    for (const std::string& key : k.repo_digests) take(by_repo_digest, key, nullptr);
    if (first_only && !out.empty()) return out;
    for (const std::string& key : k.digests) take(by_digest, key, nullptr);
    if (first_only && !out.empty()) return out;
    const std::string* pinned = k.digests.empty() ? nullptr : &k.digests.front();
    for (const std::string& key : k.tags) take(by_tag, key, pinned);
    return out;
  }
};

Database::Database(LoadLimits limits) : impl_(std::make_unique<Impl>()) { impl_->limits = limits; }
Database::~Database() = default;
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;

Result<size_t> Database::loadReport(const std::string& path) {
  internal::ParsedReport parsed;
  if (auto error = internal::parseReport(path, impl_->limits, &parsed)) return *error;
  impl_->vex_removed += parsed.removed_by_analysis;
  size_t n = parsed.images.size();
  for (size_t i = 0; i < n; ++i) impl_->add(std::move(parsed.images[i]), std::move(parsed.bom_serials[i]));
  return n;
}

Result<size_t> Database::loadVex(const std::string& path) {
  std::vector<VexStatement> statements;
  if (auto error = internal::parseVex(path, impl_->limits, &statements)) return *error;
  for (const VexStatement& st : statements) {
    for (size_t i = 0; i < impl_->images.size(); ++i) impl_->applyVex(st, i);
  }
  size_t n = statements.size();
  impl_->vex.insert(impl_->vex.end(), std::make_move_iterator(statements.begin()),
                    std::make_move_iterator(statements.end()));
  return n;
}

Result<size_t> Database::loadKev(const std::string& path) {
  std::unordered_map<std::string, internal::KevEntry> entries;
  KevInfo info;
  if (auto error = internal::parseKev(path, impl_->limits, &entries, &info)) return *error;
  for (auto& [cve, entry] : entries) {
    internal::KevEntry& e = impl_->kev[cve];
    e.ransomware = e.ransomware || entry.ransomware;
  }
  impl_->kev_info = info;
  for (ImageReport& image : impl_->images) {
    for (Vulnerability& v : image.vulns) impl_->enrich(v);
  }
  return info.entries;
}

Result<size_t> Database::loadEpss(const std::string& path) {
  std::unordered_map<std::string, internal::EpssScore> scores;
  EpssInfo info;
  if (auto error = internal::parseEpss(path, impl_->limits, &scores, &info)) return *error;
  if (impl_->epss.empty()) {
    impl_->epss = std::move(scores);
  } else {
    for (auto& [cve, score] : scores) impl_->epss[cve] = score;
  }
  impl_->epss_info = info;
  for (ImageReport& image : impl_->images) {
    for (Vulnerability& v : image.vulns) impl_->enrich(v);
  }
  return info.scores;
}

const ImageReport* Database::match(std::string_view image_in_pod_spec) const {
  std::vector<uint32_t> found = impl_->matches(image_in_pod_spec, true);
  return found.empty() ? nullptr : &impl_->images[found.front()];
}

std::vector<const ImageReport*> Database::unmatched(const std::vector<std::string_view>& images_in_input) const {
  std::vector<bool> used(impl_->images.size(), false);
  std::unordered_set<std::string_view> seen;
  for (std::string_view image : images_in_input) {
    if (!seen.insert(image).second) continue;
    for (uint32_t i : impl_->matches(image, false)) used[i] = true;
  }
  std::vector<const ImageReport*> out;
  for (size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) out.push_back(&impl_->images[i]);
  }
  return out;
}

const std::vector<ImageReport>& Database::images() const { return impl_->images; }
size_t Database::vexRemoved() const { return impl_->vex_removed; }
const EpssInfo& Database::epssInfo() const { return impl_->epss_info; }
const KevInfo& Database::kevInfo() const { return impl_->kev_info; }

}  // namespace kspm::vulns

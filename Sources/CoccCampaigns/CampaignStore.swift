public import CoccStorage

/// The campaign data the import worker, the dialer and the catalogue work on: whichever store
/// the server opened (``CampaignRepository``; SQLite or another behind the same protocol).
public typealias CampaignStore = any CampaignRepository

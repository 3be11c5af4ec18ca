# What a person sees: the rollout report page (rollout_report module), checked in headless Chromium.
APT_PACKAGES += chromium fonts-dejavu-core

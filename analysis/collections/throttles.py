"""The upload rate counted per member of an archive: the same budget (FER_UPLOAD_RATE, the same cache
entry) as single uploads through the API and the upload page, so an archive is no way around it."""

from analysis.media.throttles import UploadThrottle


class MemberThrottle(UploadThrottle):
    def admit(self, request, count: int) -> int:
        """Take up to ``count`` uploads from the caller's budget now; how many were taken."""
        if self.rate is None:
            return count
        self.key = self.get_cache_key(request, None)  # type: ignore[arg-type]  # the view is not read
        if self.key is None:
            return count
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:
            return count
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - duration:
            self.history.pop()
        taken = max(0, min(count, num_requests - len(self.history)))
        if taken:
            self.history[:0] = [self.now] * taken
            self.cache.set(self.key, self.history, duration)
        return taken

package api

// WithUnknownLoginTable sets how many unknown logins the failure table
// holds, so tests fill it with hundreds of requests instead of 50,000.
func WithUnknownLoginTable(n int) Option {
	return func(s *Server) { s.unknownLogins = newLoginTable(n) }
}

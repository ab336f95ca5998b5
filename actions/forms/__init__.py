"""Form validation actions: parse what the caller said into slot values."""

-- Registrations recorded before the key was left out of registration_info kept it in clear.
UPDATE computers SET registration_info = registration_info - 'registration_password'
 WHERE registration_info ? 'registration_password';

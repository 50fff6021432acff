/** Made-up but realistic names and descriptions for generated studies (tests, benchmarks, demo). */

export const FAMILY_NAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes',
  'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper',
  'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson',
  'Watson', 'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes',
  'Price', 'Alvarez', 'Castillo', 'Sanders', 'Patel', 'Myers', 'Long', 'Ross', 'Foster', 'Jimenez',
  'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann',
  'Dubois', 'Lefèvre', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Garnier', 'Faure', 'Rousseau', 'Blanc',
  'Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco',
  'de Jong', 'Jansen', 'de Vries', 'van den Berg', 'van Dijk', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer',
  'Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kowalczyk', 'Kamiński', 'Lewandowski', 'Zieliński', 'Szymański', 'Woźniak',
  'Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson',
  'Silva', 'Santos', 'Ferreira', 'Pereira', 'Oliveira', 'Costa', 'Rodrigues', 'Martins', 'Jesus', 'Sousa',
  "O'Brien", 'Murray', 'Quinn', 'Byrne', 'Ryan', "O'Connor", 'Doyle', 'McCarthy', 'Gallagher', 'Doherty',
  'Yamamoto', 'Tanaka', 'Watanabe', 'Ito', 'Nakamura', 'Kobayashi', 'Sato', 'Suzuki', 'Takahashi', 'Yamada',
  'Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou',
];

export const GIVEN_NAMES: readonly string[] = [
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth',
  'David', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Christopher', 'Nancy', 'Daniel', 'Lisa', 'Matthew', 'Betty', 'Anthony', 'Margaret', 'Mark', 'Sandra',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Paul', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle',
  'Jürgen', 'Anna', 'Lukas', 'Sophie', 'Élodie', 'Hugo', 'Chloé', 'Giulia', 'Marco', 'Francesca',
  'Sven', 'Ingrid', 'Piotr', 'Zofia', 'João', 'Inês', 'Seán', 'Aoife', 'Hiroshi', 'Yuki',
  'Wei', 'Mei', 'Priya', 'Arjun', 'Fatima', 'Omar', 'Noah', 'Olivia', 'Liam', 'Emma',
];

export const STUDY_DESCRIPTIONS: readonly string[] = [
  'CT Chest w/o contrast', 'CT Chest Abdomen Pelvis w contrast', 'CT Head w/o contrast', 'CT Angio Pulmonary',
  'MR Brain w/wo contrast', 'MR Lumbar Spine', 'MR Knee Left', 'MR Knee Right', 'MR Shoulder', 'MR Prostate mpMRI',
  'XR Chest PA/Lat', 'XR Hand 3 views', 'XR Ankle', 'XR Pelvis', 'US Abdomen complete', 'US Thyroid',
  'US Renal', 'US Obstetric 2nd trimester', 'Mammo Screening Bilateral', 'Mammo Diagnostic', 'PET/CT Whole body FDG',
  'NM Bone scan', 'Fluoro Barium Swallow', 'XA Coronary Angiography', 'CT Colonography', 'MR Cardiac Function',
  'CT Sinus', 'MR Liver', 'DX Spine Scoliosis', 'US Doppler Lower Extremity',
];
